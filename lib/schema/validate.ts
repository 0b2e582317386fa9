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

export function checkValue(column: ColumnSpec, value: unknown, opts: CheckOptions = {}): string | null {
  const ranges = opts.ranges ?? true;
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    return column.nullable ? null : `${column.name} is null`;
  }
  switch (column.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : `${column.name} is not a boolean`;
    case 'string':
      if (typeof value !== 'string') return `${column.name} is not a string`;
      if (ranges && column.enum && !column.enum.includes(value))
        return `${column.name}=${value} is not one of ${column.enum.join('|')}`;
      return null;
    default: {
      if (typeof value !== 'number') return `${column.name} is not a number`;
      if (!Number.isFinite(value)) return `${column.name} is not finite`;
      if ((column.type === 'int64' || column.type === 'int32' || column.type === 'timestamp') && !Number.isInteger(value))
        return `${column.name}=${value} is not an integer`;
      if (!ranges) return null;
      if (column.gt !== undefined && !(value > column.gt)) return `${column.name}=${value} is not > ${column.gt}`;
      if (column.min !== undefined && value < column.min) return `${column.name}=${value} is below ${column.min}`;
      if (column.max !== undefined && value > column.max) return `${column.name}=${value} is above ${column.max}`;
      return null;
    }
  }
}

/**
 * checkValue(column, value) === null for a non-null number in a numeric column, as one comparison per bound: for
 * parsers that check millions of values (the archive importer's fast path). Ranges are checked.
 */
export function numberPasses(column: ColumnSpec): (value: number) => boolean {
  const integer = column.type === 'int64' || column.type === 'int32' || column.type === 'timestamp';
  const gt = column.gt ?? Number.NEGATIVE_INFINITY;
  const min = column.min ?? Number.NEGATIVE_INFINITY;
  const max = column.max ?? Number.POSITIVE_INFINITY;
  const strictGt = column.gt !== undefined;
  return (value) =>
    Number.isFinite(value) && (!integer || Number.isInteger(value)) && (!strictGt || value > gt) && value >= min && value <= max;
}

/** First problem of a row, or null when it fits the dataset. */
export function validateRow(spec: DatasetSpec, row: Row, opts: CheckOptions = {}): string | null {
  for (const column of spec.columns) {
    const reason = checkValue(column, row[column.name], opts);
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
export function validateTable(table: ColumnarRows, opts: CheckOptions = {}): Map<number, string> {
  const bad = new Map<number, string>();
  for (const column of table.spec.columns) {
    const data = table.columns[column.name];
    for (let i = 0; i < table.length; i++) {
      if (bad.has(i)) continue;
      const reason = checkValue(column, data[i], opts);
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
  if (!(ms >= Date.parse(`${since}T00:00:00Z`)))
    return `${column} before ${exchange}'s first data (${since}): ${isoOrNumber(ms)}`;
  if (ms > nowMs + FUTURE_MARGIN_MS) return `${column} in the future: ${isoOrNumber(ms)}`;
  return null;
}
