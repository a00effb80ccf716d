/**
 * The connection phase: the server's handshake, the client's answer, and what each reply of the
 * server's authentication exchange means. Pure functions over payloads; wire-session.ts does the I/O.
 */
import { parseErrPacket, PayloadCursor, type ServerErrorPacket } from './wire-packets.ts';

export const CAPABILITY = {
  LONG_PASSWORD: 0x1,
  LONG_FLAG: 0x4,
  PROTOCOL_41: 0x200,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_RESULTS: 0x20000,
  PLUGIN_AUTH: 0x80000,
} as const;

/** The one password method spoken here; every other one goes to the driver (client.ts). */
export const NATIVE_PASSWORD = 'mysql_native_password';

/** utf8mb4_general_ci: known to every MariaDB and to MySQL from 5.5 on. */
const UTF8MB4 = 45;

export interface Handshake {
  readonly version: string;
  readonly connectionId: number;
  readonly capabilities: number;
  /** The 20 bytes the password proof is computed over. */
  readonly nonce: Buffer;
  /** The server's default authentication method ('' when it does not say). */
  readonly plugin: string;
}

/** A protocol-10 handshake payload, or why it cannot be answered here. */
export function parseHandshake(payload: Buffer): Handshake | { readonly unsupported: string } {
  const c = new PayloadCursor(payload);
  const protocol = c.u8();
  if (protocol !== 10) return { unsupported: `protocol version ${protocol}` };
  const version = c.nulTerminated().toString('latin1');
  const connectionId = c.u32();
  const nonce1 = c.bytes(8);
  c.u8(); // filler
  let capabilities = c.u16();
  if (c.remaining === 0) return { unsupported: 'a pre-4.1 handshake' };
  c.u8(); // default character set
  c.u16(); // status flags
  capabilities |= c.u16() << 16;
  const nonceLength = c.u8();
  c.bytes(10); // reserved (MariaDB keeps its extended capabilities here)
  const needed = CAPABILITY.PROTOCOL_41 | CAPABILITY.SECURE_CONNECTION;
  if ((capabilities & needed) !== needed) return { unsupported: 'a server without 4.1 authentication' };
  // The second part is at least 13 bytes, the last a NUL; the proof uses the first 12.
  const nonce2 = c.bytes(Math.max(13, nonceLength - 8));
  const plugin = capabilities & CAPABILITY.PLUGIN_AUTH ? c.nulTerminated().toString('latin1') : '';
  return { version, connectionId, capabilities: capabilities >>> 0, nonce: Buffer.concat([nonce1, nonce2.subarray(0, 12)]), plugin };
}

const sha1 = (...parts: Buffer[]): Buffer => {
  // Loaded here only: an account without a password (unix_socket) never needs node:crypto.
  const h = process.getBuiltinModule('node:crypto').createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * mysql_native_password's proof: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))). The server
 * holds only SHA1(SHA1(password)); an empty password answers with no bytes.
 */
export function nativePasswordProof(password: string | undefined, nonce: Buffer): Buffer {
  if (!password) return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const mix = sha1(nonce.subarray(0, 20), sha1(stage1));
  for (let i = 0; i < mix.length; i++) mix[i]! ^= stage1[i]!;
  return mix;
}

/** The HandshakeResponse41: capabilities, character set, user and the native-password proof. */
export function handshakeResponse(server: Handshake, user: string, password: string | undefined): Buffer {
  const wanted =
    CAPABILITY.LONG_PASSWORD |
    CAPABILITY.LONG_FLAG |
    CAPABILITY.PROTOCOL_41 |
    CAPABILITY.TRANSACTIONS |
    CAPABILITY.SECURE_CONNECTION |
    CAPABILITY.MULTI_RESULTS |
    (server.capabilities & CAPABILITY.PLUGIN_AUTH);
  const head = Buffer.alloc(32);
  head.writeUInt32LE(wanted >>> 0, 0);
  head.writeUInt32LE(0x1000000, 4); // max packet size
  head[8] = UTF8MB4;
  const proof = nativePasswordProof(password, server.nonce);
  return Buffer.concat([
    head,
    Buffer.from(`${user}\0`, 'utf8'),
    Buffer.from([proof.length]),
    proof,
    wanted & CAPABILITY.PLUGIN_AUTH ? Buffer.from(`${NATIVE_PASSWORD}\0`, 'latin1') : Buffer.alloc(0),
  ]);
}

/** What a reply during authentication asks of the client. */
export type AuthStep =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly error: ServerErrorPacket }
  /** Prove the password again over a new nonce (the account's method is native, or it is tried next). */
  | { readonly kind: 'prove-again'; readonly nonce: Buffer }
  /** A method this client does not speak (caching_sha2_password, ed25519, PAM, ...). */
  | { readonly kind: 'unsupported'; readonly method: string };

export function authStep(payload: Buffer): AuthStep {
  switch (payload[0]) {
    case 0x00:
      return { kind: 'accepted' };
    case 0xff:
      return { kind: 'refused', error: parseErrPacket(payload) };
    case 0xfe: {
      // An auth switch request; a bare 0xfe is the pre-4.1 "old password" request.
      if (payload.length === 1) return { kind: 'unsupported', method: 'mysql_old_password' };
      const c = new PayloadCursor(payload, 1);
      const method = c.nulTerminated().toString('latin1');
      if (method !== NATIVE_PASSWORD) return { kind: 'unsupported', method };
      return { kind: 'prove-again', nonce: c.rest().subarray(0, 20) };
    }
    case 0x01:
      // More data for a multi-step method: only methods other than the native one send it.
      return { kind: 'unsupported', method: 'a multi-step authentication method' };
    default:
      return { kind: 'unsupported', method: `an unknown reply 0x${(payload[0] ?? 0).toString(16)}` };
  }
}
