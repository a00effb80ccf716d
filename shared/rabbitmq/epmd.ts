import { net } from '../ocf/builtins.ts';

/**
 * The Erlang node names registered with a host's epmd (its NAMES_REQ): an Erlang VM registers its name
 * as soon as it boots, long before RabbitMQ serves AMQP, and the name goes when the VM does. So a
 * peer's name here says its broker is booting or running. No fork of an Erlang CLI (seconds each);
 * undefined when epmd does not answer within `timeoutMs` (no VM there has ever run, or the host is down).
 */
export function epmdNames(host: string, port: number, timeoutMs: number): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = net().createConnection({ host, port });
    const done = (names: string[] | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(names);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    // A request is a 2-byte length, then its code: 110 ('n') asks for the names.
    socket.on('connect', () => socket.write(Buffer.from([0, 1, 110])));
    socket.on('error', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    // The answer: epmd's own port (4 bytes), then "name NAME at port N\n" per node, then epmd closes.
    socket.on('end', () => done(received.length < 4 ? undefined : parseEpmdNames(received.subarray(4).toString('latin1'))));
  });
}

export function parseEpmdNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^name (\S+) at port \d+/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}
