/**
 * A MySQL/MariaDB session over the text protocol on one socket: the handshake with the native
 * password method, then one command at a time. It is all an agent needs (queries whose rows are
 * objects), and costs a fraction of loading a full driver on every monitor (bench/replica-monitor.ts).
 * Every wait is bounded: the connection phase by its timeout, each query by its own.
 */
import type { Socket } from 'node:net';
import { net } from '../ocf/builtins.ts';
import type { Endpoint } from './greeting.ts';
import type { SqlCredentials, SqlTransport } from './sql-session.ts';
import { authStep, handshakeResponse, nativePasswordProof, parseHandshake } from './wire-handshake.ts';
import {
  eofStatus,
  frame,
  isEofPacket,
  isErrPacket,
  isOkPacket,
  PacketReader,
  PayloadCursor,
  parseErrPacket,
  parseOkPacket,
  ProtocolError,
  SERVER_MORE_RESULTS_EXISTS,
  type OkPacket,
  type ServerErrorPacket,
} from './wire-packets.ts';
import { parseColumnDefinition, parseTextRow, type Column, type SqlValue } from './wire-result-set.ts';

/** Names for the server errors the agents act on; others are ER_<errno>. */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  1040: 'ER_CON_COUNT_ERROR',
  1044: 'ER_DBACCESS_DENIED_ERROR',
  1045: 'ER_ACCESS_DENIED_ERROR',
  1142: 'ER_TABLEACCESS_DENIED_ERROR',
  1227: 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  1698: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
};

/** A failure of the session, shaped as mysql2's errors are (code, errno, sqlMessage), so one wrapper maps both. */
export class WireError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  readonly sqlMessage: string | undefined;
  constructor(message: string, code: string, errno?: number, options?: { cause?: unknown; sqlMessage?: string }) {
    super(message, options);
    this.name = 'WireError';
    this.code = code;
    this.errno = errno;
    this.sqlMessage = options?.sqlMessage;
  }

  /** A socket error (ECONNREFUSED, ENOENT, EPIPE, ...), its code kept as mysql2 keeps it. */
  static fromSocket(error: NodeJS.ErrnoException): WireError {
    return new WireError(error.message, error.code ?? 'UNKNOWN', undefined, { cause: error });
  }

  static fromServer(e: ServerErrorPacket): WireError {
    return new WireError(e.message, ERROR_NAMES[e.errno] ?? `ER_${e.errno}`, e.errno, { sqlMessage: e.message });
  }
}

/** The account's authentication method is not the native one: the caller may use the full driver. */
export class UnsupportedAuthError extends Error {
  readonly method: string;
  constructor(method: string) {
    super(`authentication method ${method} is not spoken by tsha's own client`);
    this.name = 'UnsupportedAuthError';
    this.method = method;
  }
}

type Result = Record<string, SqlValue>[] | OkPacket;

/** Collects the packets that answer one COM_QUERY into its result (or results, for a CALL). */
class QueryResponse {
  readonly results: Result[] = [];
  #columns: Column[] = [];
  #expected = 0;
  #rows: Record<string, SqlValue>[] = [];
  #stage: 'first' | 'columns' | 'columns-end' | 'rows' = 'first';

  /** Takes the next packet; true once the response is complete. Throws the server's error. */
  take(payload: Buffer): boolean {
    if (isErrPacket(payload)) throw WireError.fromServer(parseErrPacket(payload));
    switch (this.#stage) {
      case 'first': {
        if (isOkPacket(payload)) {
          const ok = parseOkPacket(payload);
          this.results.push(ok);
          return (ok.serverStatus & SERVER_MORE_RESULTS_EXISTS) === 0;
        }
        if (payload[0] === 0xfb) throw new ProtocolError('the server asked for a local file (LOAD DATA LOCAL), which is never sent');
        this.#expected = new PayloadCursor(payload).lengthEncoded() ?? 0;
        this.#columns = [];
        this.#rows = [];
        this.#stage = 'columns';
        return false;
      }
      case 'columns':
        this.#columns.push(parseColumnDefinition(payload));
        if (this.#columns.length === this.#expected) this.#stage = 'columns-end';
        return false;
      case 'columns-end':
        if (!isEofPacket(payload)) throw new ProtocolError('no EOF after the column definitions');
        this.#stage = 'rows';
        return false;
      case 'rows':
        if (!isEofPacket(payload)) {
          this.#rows.push(parseTextRow(payload, this.#columns));
          return false;
        }
        this.results.push(this.#rows);
        this.#stage = 'first';
        return (eofStatus(payload) & SERVER_MORE_RESULTS_EXISTS) === 0;
    }
  }
}

interface Command {
  readonly payload: Buffer;
  readonly response: QueryResponse;
  readonly settle: (error: Error | undefined, result?: unknown) => void;
  readonly timeoutMs: number | undefined;
  timer?: NodeJS.Timeout;
}

export class WireSession implements SqlTransport {
  readonly via = 'wire' as const;
  readonly threadId: number;
  readonly #socket: Socket;
  readonly #reader: PacketReader;
  readonly #queue: Command[] = [];
  #closed: Error | undefined;

  private constructor(socket: Socket, reader: PacketReader, threadId: number) {
    this.#socket = socket;
    this.#reader = reader;
    this.threadId = threadId;
    socket.removeAllListeners('data');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      this.#drain();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.#fail(WireError.fromSocket(error)));
    socket.on('close', () => this.#fail(new WireError('Connection lost: the server closed the connection', 'PROTOCOL_CONNECTION_LOST')));
  }

  /** Connects and authenticates within `timeoutMs`. Rejects with WireError, or UnsupportedAuthError. */
  static open(endpoint: Endpoint, credentials: SqlCredentials, timeoutMs: number): Promise<WireSession> {
    return new Promise((resolve, reject) => {
      const reader = new PacketReader();
      const socket =
        'socketPath' in endpoint
          ? net().createConnection({ path: endpoint.socketPath })
          : net().createConnection({ host: endpoint.host, port: endpoint.port });
      let threadId = -1;
      let sequence = 0;
      let answered = false;
      let settled = false;
      const finish = (error: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          socket.destroy();
          reject(error);
        } else resolve(new WireSession(socket, reader, threadId));
      };
      const timer = setTimeout(() => finish(new WireError(`connect timed out after ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
      const send = (payload: Buffer) => socket.write(frame(payload, ++sequence & 0xff));
      socket.on('connect', () => {
        if ('host' in endpoint) socket.setNoDelay(true);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => finish(WireError.fromSocket(error)));
      socket.on('close', () =>
        finish(new WireError('Connection lost: the server closed the connection during the handshake', 'PROTOCOL_CONNECTION_LOST')),
      );
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        try {
          for (let p = reader.next(); p; p = reader.next()) {
            sequence = p.sequence;
            if (!answered) {
              // The greeting: a handshake, or an error (too many connections, host blocked).
              if (isErrPacket(p.payload)) return finish(WireError.fromServer(parseErrPacket(p.payload)));
              const server = parseHandshake(p.payload);
              if ('unsupported' in server) return finish(new UnsupportedAuthError(server.unsupported));
              threadId = server.connectionId;
              answered = true;
              send(handshakeResponse(server, credentials.user, credentials.password));
              continue;
            }
            const step = authStep(p.payload);
            if (step.kind === 'accepted') return finish(undefined);
            if (step.kind === 'refused') return finish(WireError.fromServer(step.error));
            if (step.kind === 'unsupported') return finish(new UnsupportedAuthError(step.method));
            send(nativePasswordProof(credentials.password, step.nonce));
          }
        } catch (error) {
          finish(new WireError(`bad handshake: ${(error as Error).message}`, 'PROTOCOL_ERROR', undefined, { cause: error }));
        }
      });
    });
  }

  /** Runs one statement; its rows (objects by column name), or the OK packet's counts for others. */
  query(sql: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#enqueue(sql, timeoutMs, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }

  /** Sends a statement and ignores its result; it completes on the server even if this session ends first. */
  send(sql: string): void {
    this.#enqueue(sql, undefined, () => undefined);
  }

  close(): void {
    // No COM_QUIT: waiting for the server is what a close must never do (it may be what hangs).
    this.#fail(new WireError('session closed', 'PROTOCOL_CONNECTION_LOST'));
  }

  #enqueue(sql: string, timeoutMs: number | undefined, settle: Command['settle']): void {
    if (this.#closed) return settle(this.#closed);
    const payload = Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]); // COM_QUERY
    this.#queue.push({ payload, response: new QueryResponse(), settle, timeoutMs });
    if (this.#queue.length === 1) this.#start();
  }

  #start(): void {
    const command = this.#queue[0];
    if (!command) return;
    if (command.timeoutMs !== undefined) {
      const ms = command.timeoutMs;
      command.timer = setTimeout(() => {
        // As mysql2 does: a query past its timeout ends the session (its answer would come later, misread).
        const error = new WireError(`Query inactivity timeout after ${ms} ms`, 'PROTOCOL_SEQUENCE_TIMEOUT');
        this.#queue.shift();
        command.settle(error);
        this.#fail(new WireError('session ended after a query timed out', 'PROTOCOL_CONNECTION_LOST'));
      }, ms);
    }
    this.#socket.write(frame(command.payload, 0));
  }

  #drain(): void {
    for (let p = this.#reader.next(); p; p = this.#reader.next()) {
      const command = this.#queue[0];
      if (!command) return this.#fail(new WireError('a packet arrived with no command waiting', 'PROTOCOL_UNEXPECTED_PACKET'));
      let done: boolean;
      try {
        done = command.response.take(p.payload);
      } catch (error) {
        if (error instanceof WireError) {
          // The server's error ends this command only; the session goes on.
          this.#complete(command, error);
          continue;
        }
        return this.#fail(new WireError(`bad response: ${(error as Error).message}`, 'PROTOCOL_ERROR', undefined, { cause: error }));
      }
      if (done) this.#complete(command, undefined);
    }
  }

  #complete(command: Command, error: Error | undefined): void {
    clearTimeout(command.timer);
    this.#queue.shift();
    const { results } = command.response;
    if (error) command.settle(error);
    else command.settle(undefined, results.length === 1 ? results[0] : results);
    this.#start();
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    this.#socket.destroy();
    for (const command of this.#queue.splice(0)) {
      clearTimeout(command.timer);
      command.settle(error);
    }
  }
}
