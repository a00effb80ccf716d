/**
 * Text-protocol result sets: column definitions and rows, with each value typed as the agents have
 * always received it from mysql2 (supportBigNumbers, dateStrings): integers as numbers (a BIGINT past
 * 2^53 as its decimal string), floats as numbers, DECIMAL and dates as strings, binary strings as
 * Buffers, NULL as null.
 */
import { PayloadCursor } from './wire-packets.ts';

/** Column types (enum_field_types) whose text form is read as a number. */
const INTEGER_TYPES = new Set([1, 2, 3, 9, 13]); // TINY, SHORT, LONG, INT24, YEAR
const LONGLONG = 8;
const FLOAT_TYPES = new Set([4, 5]); // FLOAT, DOUBLE
const NULL_TYPE = 6;
const BIT = 16;
const JSON_TYPE = 245;
/** String and blob types: bytes when their collation is 'binary' (63), else text. Numbers and dates carry 63 too. */
const STRING_TYPES = new Set([15, 247, 248, 249, 250, 251, 252, 253, 254, 255]);
const BINARY_CHARSET = 63;

export interface Column {
  readonly name: string;
  readonly type: number;
  readonly charset: number;
}

export function parseColumnDefinition(payload: Buffer): Column {
  const c = new PayloadCursor(payload);
  for (let i = 0; i < 4; i++) c.lengthEncodedBytes(); // catalog, schema, table, org_table
  const name = (c.lengthEncodedBytes() ?? Buffer.alloc(0)).toString('utf8');
  c.lengthEncodedBytes(); // org_name
  c.lengthEncoded(); // length of the fixed fields, always 0x0c
  const charset = c.u16();
  c.u32(); // display length
  const type = c.u8();
  return { name, type, charset };
}

/** string, number, Buffer, null, or a parsed JSON value. */
export type SqlValue = unknown;

function valueOf(raw: Buffer, column: Column): SqlValue {
  const { type } = column;
  if (INTEGER_TYPES.has(type) || FLOAT_TYPES.has(type)) return Number(raw.toString('latin1'));
  if (type === LONGLONG) {
    const text = raw.toString('latin1');
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (type === NULL_TYPE) return null;
  if (type === JSON_TYPE) return JSON.parse(raw.toString('utf8')) as unknown;
  if (type === BIT || (STRING_TYPES.has(type) && column.charset === BINARY_CHARSET)) return Buffer.from(raw);
  return raw.toString('utf8');
}

/** One text-protocol row as an object keyed by column name (a later duplicate name wins, as in mysql2). */
export function parseTextRow(payload: Buffer, columns: readonly Column[]): Record<string, SqlValue> {
  const c = new PayloadCursor(payload);
  const row: Record<string, SqlValue> = {};
  for (const column of columns) {
    const raw = c.lengthEncodedBytes();
    row[column.name] = raw === null ? null : valueOf(raw, column);
  }
  return row;
}
