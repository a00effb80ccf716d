import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { epmdNames, parseEpmdNames } from '../../../shared/rabbitmq/epmd.ts';

describe("epmd's NAMES answer", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A stand-in epmd on a kernel-chosen loopback port: answers NAMES_REQ as epmd does, then closes. */
  function epmd(answer: (request: Buffer) => Buffer | undefined): Promise<number> {
    server = createServer((socket) => {
      socket.once('data', (request) => {
        const reply = answer(request);
        if (reply) socket.end(reply);
      });
    });
    return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
  }

  it('reads every registered node name', () => {
    expect(parseEpmdNames('name rabbit at port 25672\nname rabbitmqcli-12-rabbit at port 40123\n')).toEqual([
      'rabbit',
      'rabbitmqcli-12-rabbit',
    ]);
    expect(parseEpmdNames('')).toEqual([]);
  });

  it('sends NAMES_REQ (length 1, code 110) and lists the names after the 4-byte port', async () => {
    let seen: Buffer | undefined;
    const port = await epmd((request) => {
      seen = request;
      return Buffer.concat([Buffer.from([0, 0, 0x11, 0x11]), Buffer.from('name rabbit at port 25672\n')]);
    });
    expect(await epmdNames('127.0.0.1', port, 2000)).toEqual(['rabbit']);
    expect([...seen!]).toEqual([0, 1, 110]);
  });

  it('an epmd with no node registered answers an empty list', async () => {
    const port = await epmd(() => Buffer.from([0, 0, 0x11, 0x11]));
    expect(await epmdNames('127.0.0.1', port, 2000)).toEqual([]);
  });

  it('no answer within the timeout is undefined, never a hang', async () => {
    const port = await epmd(() => undefined);
    expect(await epmdNames('127.0.0.1', port, 200)).toBeUndefined();
  });
});
