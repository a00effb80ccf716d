/**
 * MySQL client/server protocol framing: every message is a packet of a 3-byte little-endian payload
 * length, a 1-byte sequence id and the payload. A payload of 2^24-1 bytes or more is split into
 * full-size packets followed by a shorter one (possibly empty), which the reader joins again.
 */

const MAX_PAYLOAD = 0xffffff;

/** Frames one payload as the packets that carry it, numbered from `sequence`. */
export function frame(payload: Buffer, sequence: number): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  let seq = sequence;
  for (;;) {
    const length = Math.min(MAX_PAYLOAD, payload.length - offset);
    const header = Buffer.alloc(4);
    header.writeUIntLE(length, 0, 3);
    header[3] = seq & 0xff;
    parts.push(header, payload.subarray(offset, offset + length));
    offset += length;
    seq++;
    if (length < MAX_PAYLOAD) break;
  }
  return Buffer.concat(parts);
}

export interface Packet {
  readonly sequence: number;
  readonly payload: Buffer;
}

/**
 * Collects bytes as they arrive and hands out whole payloads, split ones joined. Chunks are joined only
 * once a whole packet is there, so a large packet arriving in many chunks is copied once, not per chunk.
 */
export class PacketReader {
  #chunks: Buffer[] = [];
  #size = 0;
  #pending: Buffer[] = [];

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** The first `n` bytes, joining chunks only as far as needed. */
  #head(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  /** The next whole payload, or undefined until more bytes arrive. */
  next(): Packet | undefined {
    for (;;) {
      if (this.#size < 4) return undefined;
      const header = this.#head(4);
      const length = header.readUIntLE(0, 3);
      const sequence = header[3]!;
      if (this.#size < 4 + length) return undefined;
      const buffer = this.#head(4 + length);
      const payload = buffer.subarray(4, 4 + length);
      const rest = buffer.subarray(4 + length);
      this.#chunks = rest.length > 0 ? [rest, ...this.#chunks.slice(1)] : this.#chunks.slice(1);
      this.#size -= 4 + length;
      if (length === MAX_PAYLOAD) {
        this.#pending.push(payload);
        continue;
      }
      const whole = this.#pending.length === 0 ? payload : Buffer.concat([...this.#pending, payload]);
      this.#pending = [];
      return { sequence, payload: whole };
    }
  }
}

/** Reads the protocol's integer and string encodings from one payload, front to back. */
export class PayloadCursor {
  offset: number;
  readonly payload: Buffer;

  constructor(payload: Buffer, offset = 0) {
    this.payload = payload;
    this.offset = offset;
  }

  get remaining(): number {
    return this.payload.length - this.offset;
  }

  #need(n: number): void {
    if (this.offset + n > this.payload.length) throw new ProtocolError(`packet truncated: ${n} bytes needed at offset ${this.offset}`);
  }

  u8(): number {
    this.#need(1);
    return this.payload[this.offset++]!;
  }

  u16(): number {
    this.#need(2);
    const v = this.payload.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.payload.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.#need(n);
    const v = this.payload.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A NUL-terminated string (or the rest of the payload when no NUL follows). */
  nulTerminated(): Buffer {
    const end = this.payload.indexOf(0, this.offset);
    const stop = end < 0 ? this.payload.length : end;
    const v = this.payload.subarray(this.offset, stop);
    this.offset = end < 0 ? stop : stop + 1;
    return v;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /**
   * A length-encoded integer; null for 0xfb, which in a row means SQL NULL. Values past 2^53 lose
   * precision, which no length or count the protocol carries here reaches.
   */
  lengthEncoded(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) {
      this.#need(3);
      const v = this.payload.readUIntLE(this.offset, 3);
      this.offset += 3;
      return v;
    }
    if (first === 0xfe) {
      this.#need(8);
      const v = Number(this.payload.readBigUInt64LE(this.offset));
      this.offset += 8;
      return v;
    }
    throw new ProtocolError(`bad length-encoded integer prefix 0x${first.toString(16)}`);
  }

  /** A length-encoded string as bytes; null for SQL NULL. */
  lengthEncodedBytes(): Buffer | null {
    const n = this.lengthEncoded();
    return n === null ? null : this.bytes(n);
  }
}

/** The bytes did not follow the protocol: the session cannot go on. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** An ERR packet (first byte 0xff): the server's error number, SQL state and message. */
export interface ServerErrorPacket {
  readonly errno: number;
  readonly sqlState: string | undefined;
  readonly message: string;
}

export function isErrPacket(payload: Buffer): boolean {
  return payload[0] === 0xff;
}

/** OK: first byte 0x00. */
export function isOkPacket(payload: Buffer): boolean {
  return payload[0] === 0x00;
}

/** EOF: 0xfe and shorter than 9 bytes (a row may also start with 0xfe, but is then longer). */
export function isEofPacket(payload: Buffer): boolean {
  return payload[0] === 0xfe && payload.length < 9;
}

export function parseErrPacket(payload: Buffer): ServerErrorPacket {
  const c = new PayloadCursor(payload, 1);
  const errno = c.u16();
  // The SQL state marker is absent in errors sent before the handshake completes.
  let sqlState: string | undefined;
  if (c.remaining >= 6 && payload[c.offset] === 0x23) {
    c.offset++;
    sqlState = c.bytes(5).toString('latin1');
  }
  return { errno, sqlState, message: c.rest().toString('utf8') };
}

/** Server status flag: another result set follows this one (a CALL, or multiple statements). */
export const SERVER_MORE_RESULTS_EXISTS = 0x0008;

export interface OkPacket {
  readonly affectedRows: number;
  readonly insertId: number;
  readonly serverStatus: number;
  readonly warningStatus: number;
  readonly info: string;
}

export function parseOkPacket(payload: Buffer): OkPacket {
  const c = new PayloadCursor(payload, 1);
  const affectedRows = c.lengthEncoded() ?? 0;
  const insertId = c.lengthEncoded() ?? 0;
  const serverStatus = c.remaining >= 2 ? c.u16() : 0;
  const warningStatus = c.remaining >= 2 ? c.u16() : 0;
  return { affectedRows, insertId, serverStatus, warningStatus, info: c.rest().toString('utf8') };
}

/** The status flags of an EOF packet (0xfe, warnings, status). */
export function eofStatus(payload: Buffer): number {
  return payload.length >= 5 ? payload.readUInt16LE(3) : 0;
}
