import { EXCHANGE_DATA_SINCE, FUTURE_MARGIN_MS, type ExchangeId } from './columns';
import type { ColumnSpec, DatasetSpec, Row } from './types';

/**
 * Validators derived from the registry: nullability, type, finiteness, ranges and enums. They return a reason
 * (used for quarantine and error counters) instead of throwing, so bad rows never stop a job.
 */

export interface CheckOptions {
  /** Check ranges and enums too (Silver); structural checks only when false (Bronze keeps what was sent). */
  ranges?: boolean;
}

export function checkValue(c: ColumnSpec, v: unknown, opts: CheckOptions = {}): string | null {
  const ranges = opts.ranges ?? true;
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
    return c.nullable ? null : `${c.name} is null`;
  }
  switch (c.type) {
    case 'boolean':
      return typeof v === 'boolean' ? null : `${c.name} is not a boolean`;
    case 'string':
      if (typeof v !== 'string') return `${c.name} is not a string`;
      if (ranges && c.enum && !c.enum.includes(v)) return `${c.name}=${v} is not one of ${c.enum.join('|')}`;
      return null;
    default: {
      if (typeof v !== 'number') return `${c.name} is not a number`;
      if (!Number.isFinite(v)) return `${c.name} is not finite`;
      if ((c.type === 'int64' || c.type === 'int32' || c.type === 'timestamp') && !Number.isInteger(v)) return `${c.name}=${v} is not an integer`;
      if (!ranges) return null;
      if (c.gt !== undefined && !(v > c.gt)) return `${c.name}=${v} is not > ${c.gt}`;
      if (c.min !== undefined && v < c.min) return `${c.name}=${v} is below ${c.min}`;
      if (c.max !== undefined && v > c.max) return `${c.name}=${v} is above ${c.max}`;
      return null;
    }
  }
}

/** First problem of a row, or null when it fits the dataset. */
export function validateRow(d: DatasetSpec, row: Row, opts: CheckOptions = {}): string | null {
  for (const c of d.columns) {
    const reason = checkValue(c, row[c.name], opts);
    if (reason) return reason;
  }
  return null;
}

/**
 * What validateTable reads of a columnar table (lib/table's Table fits it): described by shape here, because
 * lib/table sits on top of the schema and not the other way round.
 */
export interface ColumnarRows {
  readonly spec: DatasetSpec;
  readonly length: number;
  readonly columns: Readonly<Record<string, ArrayLike<unknown>>>;
}

/** Problems of a columnar table, one per bad row (its first problem). */
export function validateTable(t: ColumnarRows, opts: CheckOptions = {}): Map<number, string> {
  const bad = new Map<number, string>();
  for (const c of t.spec.columns) {
    const data = t.columns[c.name];
    for (let i = 0; i < t.length; i++) {
      if (bad.has(i)) continue;
      const reason = checkValue(c, data[i], opts);
      if (reason) bad.set(i, reason);
    }
  }
  return bad;
}

/** ISO text of an epoch-ms value, or the number itself when it lies beyond what a Date can hold. */
export function isoOrNumber(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}

/**
 * Whether an exchange time is plausible: on or after the exchange's first day of data and not after `nowMs` plus
 * a small margin. Null when it is; else the reason, whose text before ': ' names the rule.
 */
export function checkExchangeTime(exchange: ExchangeId, column: string, ms: number, nowMs: number): string | null {
  const since = EXCHANGE_DATA_SINCE[exchange];
  if (!(ms >= Date.parse(`${since}T00:00:00Z`))) return `${column} before ${exchange}'s first data (${since}): ${isoOrNumber(ms)}`;
  if (ms > nowMs + FUTURE_MARGIN_MS) return `${column} in the future: ${isoOrNumber(ms)}`;
  return null;
}
