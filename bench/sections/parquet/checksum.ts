import type { Table } from '../../../lib/table/table';
import type { BenchDataset } from './inputs';
import { DAY0 } from './inputs';

/**
 * A cheap fingerprint of a table, computed by the write task from its input and by each read task from what it
 * read back, outside the timed block. Equal fingerprints mean the timestamps, one double column and the nulls of
 * a nullable column survived the round trip (a reader that returns zeros or drops nulls is caught).
 */

// A type alias, not an interface, so it is assignable to Json.
export type Checksum = {
  rows: number;
  /** Sum of event_time - DAY0 in ms: exact in a double for a day of rows. */
  tsSum: number;
  valueSum: number;
  nulls: number;
};

const VALUE_COLUMN: Record<BenchDataset, string> = { trades: 'price', book_top10: 'bid_px_1' };
const NULL_COLUMN: Record<BenchDataset, string | undefined> = { trades: undefined, book_top10: 'ask_px_10' };
export const CHECKSUM_COLUMNS = (d: BenchDataset): string[] => [
  'event_time',
  VALUE_COLUMN[d],
  ...(NULL_COLUMN[d] ? [NULL_COLUMN[d]] : []),
];

/** A cell as any reader returns it: number (NaN = null), bigint, Date, null or undefined. */
function toNumber(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (v instanceof Date) return v.getTime();
  return Number(v);
}

/** `get(name)` returns a column as an array-like of the reader's own values. */
export function checksum(d: BenchDataset, rows: number, get: (name: string) => ArrayLike<unknown>): Checksum {
  const ts = get('event_time');
  const val = get(VALUE_COLUMN[d]);
  const nullName = NULL_COLUMN[d];
  const nul = nullName ? get(nullName) : undefined;
  let tsSum = 0;
  let valueSum = 0;
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    tsSum += toNumber(ts[i]) - DAY0;
    valueSum += toNumber(val[i]);
    if (nul && Number.isNaN(toNumber(nul[i]))) nulls++;
  }
  return { rows, tsSum, valueSum, nulls };
}

export const tableChecksum = (d: BenchDataset, t: Table): Checksum => checksum(d, t.length, (name) => t.columns[name]);

export function sameChecksum(a: Checksum, b: Checksum): boolean {
  return (
    a.rows === b.rows &&
    a.tsSum === b.tsSum &&
    a.nulls === b.nulls &&
    Math.abs(a.valueSum - b.valueSum) <= 1e-9 * Math.abs(a.valueSum)
  );
}
