import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { statementLabel } from '../../../shared/mysql/client.ts';
import {
  authStep,
  CAPABILITY,
  handshakeResponse,
  nativePasswordProof,
  parseHandshake,
  type Handshake,
} from '../../../shared/mysql/wire-handshake.ts';
import { frame, PacketReader, parseErrPacket, parseOkPacket, PayloadCursor } from '../../../shared/mysql/wire-packets.ts';
import { parseColumnDefinition, parseTextRow, type Column } from '../../../shared/mysql/wire-result-set.ts';

const sha1 = (...parts: Buffer[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A length-encoded string. */
function lenenc(text: string | Buffer | null): Buffer {
  if (text === null) return Buffer.from([0xfb]);
  const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (b.length < 0xfb) return Buffer.concat([Buffer.from([b.length]), b]);
  const n = Buffer.alloc(3);
  n.writeUInt16LE(b.length, 1);
  n[0] = 0xfc;
  return Buffer.concat([n, b]);
}

/** MariaDB 10.11's handshake, as its bytes come. */
function mariadbHandshake(plugin = 'mysql_native_password'): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(4711);
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from('5.5.5-10.11.14-MariaDB-0+deb12u2\0', 'latin1'),
    id,
    Buffer.from('abcdefgh', 'latin1'),
    Buffer.from([0]),
    Buffer.from([0xfe, 0xf7]), // capabilities, low
    Buffer.from([45]),
    Buffer.from([0x02, 0x00]),
    Buffer.from([0xff, 0x81]), // capabilities, high: plugin auth
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0', 'latin1'),
    Buffer.from(`${plugin}\0`, 'latin1'),
  ]);
}

describe('packet framing', () => {
  it('a payload read back whole, however the bytes arrive', () => {
    const wire = Buffer.concat([frame(Buffer.from('first'), 0), frame(Buffer.from('second'), 1)]);
    const reader = new PacketReader();
    const got: string[] = [];
    for (const byte of wire) {
      reader.push(Buffer.from([byte]));
      for (let p = reader.next(); p; p = reader.next()) got.push(`${p.sequence}:${p.payload.toString()}`);
    }
    expect(got).toEqual(['0:first', '1:second']);
  });

  it('a payload of 2^24-1 bytes or more travels as several packets and is joined again', () => {
    const big = Buffer.alloc(0xffffff + 10, 7);
    const wire = frame(big, 3);
    expect(wire.readUIntLE(0, 3)).toBe(0xffffff);
    expect(wire[3]).toBe(3);
    expect(wire[4 + 0xffffff + 3]).toBe(4);
    // As a socket delivers it: 64 KiB at a time, nothing whole until the last chunk.
    const reader = new PacketReader();
    let p;
    for (let at = 0; at < wire.length; at += 65536) {
      expect(p).toBeUndefined();
      reader.push(wire.subarray(at, at + 65536));
      p = reader.next();
    }
    expect(p?.payload.length).toBe(big.length);
    expect(p?.payload.equals(big)).toBe(true);
    expect(reader.next()).toBeUndefined();
  });

  it('reads every length-encoded integer form, and 0xfb as NULL', () => {
    const c = new PayloadCursor(Buffer.from([0xfa, 0xfc, 0x34, 0x12, 0xfd, 0x56, 0x34, 0x12, 0xfe, 1, 0, 0, 0, 1, 0, 0, 0, 0xfb]));
    expect([c.lengthEncoded(), c.lengthEncoded(), c.lengthEncoded(), c.lengthEncoded(), c.lengthEncoded()]).toEqual([
      0xfa,
      0x1234,
      0x123456,
      2 ** 32 + 1,
      null,
    ]);
  });

  it('a truncated packet is a protocol error, not a misread', () => {
    expect(() => new PayloadCursor(Buffer.from([0xfc, 1])).lengthEncoded()).toThrow(/truncated/);
  });

  it('reads an ERR packet with and without its SQL state', () => {
    const withState = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'x'@'localhost'")]);
    expect(parseErrPacket(withState)).toEqual({ errno: 1045, sqlState: '28000', message: "Access denied for user 'x'@'localhost'" });
    const bare = Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections')]);
    expect(parseErrPacket(bare)).toEqual({ errno: 1040, sqlState: undefined, message: 'Too many connections' });
  });

  it('reads an OK packet: affected rows, insert id, status', () => {
    expect(parseOkPacket(Buffer.from([0x00, 0x03, 0xfc, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00]))).toMatchObject({
      affectedRows: 3,
      insertId: 256,
      serverStatus: 2,
    });
  });
});

describe('the connection phase', () => {
  it("reads MariaDB's handshake: version, connection id, the 20-byte nonce and the default method", () => {
    const h = parseHandshake(mariadbHandshake()) as Handshake;
    expect(h.version).toBe('5.5.5-10.11.14-MariaDB-0+deb12u2');
    expect(h.connectionId).toBe(4711);
    expect(h.nonce.toString('latin1')).toBe('abcdefghijklmnopqrst');
    expect(h.plugin).toBe('mysql_native_password');
  });

  it('a handshake of another protocol version is not answered', () => {
    expect(parseHandshake(Buffer.from([9, 0x41, 0]))).toEqual({ unsupported: 'protocol version 9' });
  });

  it('the native-password proof passes the check the server makes with only SHA1(SHA1(password))', () => {
    const nonce = Buffer.from('abcdefghijklmnopqrst', 'latin1');
    const stored = sha1(sha1(Buffer.from('s3cret-pässword', 'utf8')));
    const proof = nativePasswordProof('s3cret-pässword', nonce);
    const mix = sha1(nonce, stored);
    const stage1 = Buffer.from(proof.map((b, i) => b ^ mix[i]!));
    expect(sha1(stage1).equals(stored)).toBe(true);
  });

  it('an empty or missing password answers with no proof bytes', () => {
    expect(nativePasswordProof(undefined, Buffer.alloc(20)).length).toBe(0);
    expect(nativePasswordProof('', Buffer.alloc(20)).length).toBe(0);
  });

  it('the answer names the user, carries the proof and asks for the native method, protocol 4.1', () => {
    const server = parseHandshake(mariadbHandshake()) as Handshake;
    const answer = handshakeResponse(server, 'monitor', 'pw');
    const caps = answer.readUInt32LE(0);
    for (const cap of [CAPABILITY.PROTOCOL_41, CAPABILITY.SECURE_CONNECTION, CAPABILITY.PLUGIN_AUTH, CAPABILITY.MULTI_RESULTS]) {
      expect(caps & cap).toBe(cap);
    }
    const c = new PayloadCursor(answer, 32);
    expect(c.nulTerminated().toString()).toBe('monitor');
    const proofLength = c.u8();
    expect(c.bytes(proofLength).equals(nativePasswordProof('pw', server.nonce))).toBe(true);
    expect(c.nulTerminated().toString()).toBe('mysql_native_password');
    expect(c.remaining).toBe(0);
  });

  it.each<[string, Buffer, string]>([
    ['OK', Buffer.from([0x00, 0, 0, 2, 0, 0, 0]), 'accepted'],
    ['ERR', Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from('#28000denied')]), 'refused'],
    [
      'a switch to the native method',
      Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0ABCDEFGHIJKLMNOPQRST\0')]),
      'prove-again',
    ],
    [
      'a switch to caching_sha2_password',
      Buffer.concat([Buffer.from([0xfe]), Buffer.from('caching_sha2_password\0ABCDEFGHIJKLMNOPQRST\0')]),
      'unsupported',
    ],
    [
      'a switch to client_ed25519',
      Buffer.concat([Buffer.from([0xfe]), Buffer.from('client_ed25519\0ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\0')]),
      'unsupported',
    ],
    ['the pre-4.1 old-password request', Buffer.from([0xfe]), 'unsupported'],
    ['more data for a multi-step method', Buffer.from([0x01, 0x04]), 'unsupported'],
  ])('an authentication reply of %s: %s', (_what, payload, kind) => {
    expect(authStep(payload).kind).toBe(kind);
  });

  it('a switch to the native method proves the password again over the new nonce', () => {
    const step = authStep(Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0ABCDEFGHIJKLMNOPQRST\0')]));
    expect(step).toEqual({ kind: 'prove-again', nonce: Buffer.from('ABCDEFGHIJKLMNOPQRST') });
  });

  it('an unsupported method is named, so the fallback can say which', () => {
    expect(authStep(Buffer.concat([Buffer.from([0xfe]), Buffer.from('client_ed25519\0nonce')]))).toEqual({
      kind: 'unsupported',
      method: 'client_ed25519',
    });
  });
});

describe('text result sets', () => {
  /** A column definition as the server sends it. */
  function column(name: string, type: number, charset: number): Buffer {
    const fixed = Buffer.alloc(13);
    fixed[0] = 0x0c;
    fixed.writeUInt16LE(charset, 1);
    fixed.writeUInt32LE(20, 3);
    fixed[7] = type;
    return Buffer.concat([lenenc('def'), lenenc(''), lenenc(''), lenenc(''), lenenc(name), lenenc(name), fixed]);
  }

  const definitions: [string, number, number][] = [
    ['n', 8, 63], // BIGINT
    ['big', 8, 63],
    ['i', 3, 63], // INT
    ['d', 5, 63], // DOUBLE
    ['dec', 246, 63], // DECIMAL
    ['at', 12, 63], // DATETIME
    ['name', 253, 45], // VARCHAR utf8mb4
    ['raw', 253, 63], // VARBINARY
    ['bits', 16, 63], // BIT
    ['nothing', 253, 45],
  ];
  const columns: Column[] = definitions.map(([name, type, charset]) => parseColumnDefinition(column(name, type, charset)));

  it('reads the name, type and collation of a column definition', () => {
    expect(columns[6]).toEqual({ name: 'name', type: 253, charset: 45 });
  });

  it('types each value as mysql2 did for the agents (supportBigNumbers, dateStrings)', () => {
    const row = Buffer.concat([
      lenenc('42'),
      lenenc('18446744073709551615'),
      lenenc('-7'),
      lenenc('1.5'),
      lenenc('10.50'),
      lenenc('2026-12-06 15:00:00'),
      lenenc('0-1-42,1-2-7 ünïcode'),
      lenenc(Buffer.from([0, 1, 2])),
      lenenc(Buffer.from([0x05])),
      lenenc(null),
    ]);
    expect(parseTextRow(row, columns)).toEqual({
      n: 42,
      big: '18446744073709551615',
      i: -7,
      d: 1.5,
      dec: '10.50',
      at: '2026-12-06 15:00:00',
      name: '0-1-42,1-2-7 ünïcode',
      raw: Buffer.from([0, 1, 2]),
      bits: Buffer.from([0x05]),
      nothing: null,
    });
  });
});

describe('statementLabel', () => {
  it('names a statement by its leading keywords, never what follows (a password in CHANGE MASTER)', () => {
    const sql = "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_USER='repl', MASTER_PASSWORD='hunter2', MASTER_USE_GTID=slave_pos";
    expect(statementLabel(sql)).toBe('CHANGE MASTER TO MASTER_HOST');
    expect(statementLabel(sql)).not.toContain('hunter2');
    expect(statementLabel('SELECT COUNT(*) AS n FROM `db`.`t`')).toBe('SELECT COUNT');
    expect(statementLabel("  SET GLOBAL read_only = 'ON'")).toBe('SET GLOBAL read_only');
    expect(statementLabel("'quoted'")).toBe('a statement');
  });
});
