// The lab's power switch: serves fence_tshalab's requests, one at a time (see fencing.ts).
//   node test/lab/fence-supervisor.ts PREFIX
import { appendFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fenceLog, fenceSocket } from './fencing.ts';
import { Lab } from './lab.ts';

const lab = Lab.attach(process.argv[2]);
let queue: Promise<unknown> = Promise.resolve();

interface Request {
  readonly action: string;
  readonly target?: string;
  readonly from?: string;
}

async function serve(r: Request): Promise<Record<string, unknown>> {
  const on = (node: string) => lab.pid1(node) !== undefined;
  if (r.action === 'list' || r.action === 'monitor') return { ok: true, nodes: lab.names };
  const target = r.target ?? '';
  if (!lab.names.includes(target)) return { ok: false, error: `no lab node ${JSON.stringify(target)}` };
  if (r.action === 'status') return { ok: true, state: on(target) ? 'on' : 'off' };
  // A node that was itself powered off while its request waited must not take its peer down too.
  if (r.from && lab.names.includes(r.from) && !on(r.from)) return { ok: false, error: `requester ${r.from} is powered off` };
  // The power switch sits on the network, as an IPMI or PDU does: an unplugged node cannot reach it.
  if (r.from && lab.names.includes(r.from) && !(await lab.linked(r.from))) {
    return { ok: false, error: `requester ${r.from} has no link to the fence device` };
  }
  if (r.action === 'off' || r.action === 'reboot') await lab.crash(target);
  if (r.action === 'on' || r.action === 'reboot') await lab.start(target);
  return { ok: true, state: on(target) ? 'on' : 'off' };
}

rmSync(fenceSocket(lab), { force: true });
createServer({ allowHalfOpen: true }, (socket) => {
  let data = '';
  socket.on('data', (d) => {
    data += d.toString();
    if (!data.includes('\n')) return;
    const request = JSON.parse(data.split('\n')[0]!) as Request;
    queue = queue.then(async () => {
      let answer: Record<string, unknown>;
      try {
        answer = await serve(request);
      } catch (error) {
        answer = { ok: false, error: (error as Error).message };
      }
      appendFileSync(
        fenceLog(lab),
        `${Date.now()} ${request.from ?? '-'} ${request.action} ${request.target ?? '-'} ${answer.ok ? 'ok' : `refused: ${String(answer.error)}`}\n`,
      );
      socket.end(JSON.stringify(answer));
    });
  });
  socket.on('error', () => undefined);
}).listen(fenceSocket(lab));
