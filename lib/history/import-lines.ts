import type { ExchangeId } from '../schema/columns';
import type { DatasetSpec, Row } from '../schema/types';
import { checkExchangeTime, checkValue, isoOrNumber, validateRow } from '../schema/validate';
import { archiveLines, MAX_LINE_CHARS, splitFields, type SourceLine } from './archive-source';
import { klineArchiveRow } from './binance-klines-archive';
import { ohlcvRow } from './kline-file-layouts';
import { truncatedField, type KlineFileProfile } from './kline-file-profile';

/**
 * One line of an archive file for `lakehouse import` (lib/history/import-archive.ts): read as a Bronze row and
 * checked, or rejected with a reason; a rejected line as a quarantine row.
 */

export interface DataRecord extends SourceLine {
  fields: string[];
}

/** A rejected line: the reason, and the row when the line could be read as one. */
interface Rejection {
  reason: string;
  row?: Row;
}
/** A line's outcome, with the open and close time when they are plausible (evidence of the interval). */
export type Outcome = ({ row: Row } | Rejection) & { openTime?: number; closeTime?: number | null };

/** What every line of one file is read against. */
export interface LineContext {
  profile: KlineFileProfile;
  exchange: ExchangeId;
  interval: string;
  stepMs: number;
  base: string;
  quote: string;
  ingest: number;
  spec: DatasetSpec;
}

/** Non-empty lines and their fields; a UTF-8 byte-order mark (bytes read as Latin-1) is dropped. */
export async function* dataRecords(file: string): AsyncGenerator<DataRecord> {
  for await (const source of archiveLines(file)) {
    const record = dataRecord(source);
    if (record) yield record;
  }
}

/** One line as dataRecords gives it, or undefined for an empty line. */
export function dataRecord(source: SourceLine): DataRecord | undefined {
  const text = source.line === 1 && source.text.startsWith('\xEF\xBB\xBF') ? source.text.slice(3) : source.text;
  if (text.trim() === '') return undefined;
  return { ...source, text, fields: splitFields(text) };
}

/** The rule a reason names: its text before ': ', offending values (`=…`) left out. */
export function reasonKind(reason: string): string {
  return reason.split(': ')[0].replace(/=\S+/, '');
}

/** Checks one line: layout, unit, the exchange's era, the registry's ranges, the interval. */
export function readRecord(context: LineContext, record: DataRecord): Outcome {
  const profile = context.profile;
  if (record.overlong) return { reason: `line longer than ${MAX_LINE_CHARS} characters` };
  if (!record.terminated) {
    const cut = truncatedField(profile, record.fields);
    if (cut) return { reason: cut };
  }
  if (record.fields.length !== profile.columns)
    return { reason: `expected ${profile.columns} columns, got ${record.fields.length}` };
  const row =
    profile.layout === 'binance-archive'
      ? klineArchiveRow(record.fields, profile.unit, context.base, context.quote, context.ingest)
      : ohlcvRow(record.fields, profile.layout, context.stepMs, context.base, context.quote, context.ingest, profile.unit);
  if (typeof row === 'string') return { reason: row };
  const openTime = row.open_time as number;
  const era = checkExchangeTime(context.exchange, 'open_time', openTime, context.ingest);
  if (era) return { reason: era, row };
  const closeTime = profile.layout === 'binance-archive' ? (row.close_time as number) : null;
  const timed = { openTime, closeTime };
  const invalid = validateRow(context.spec, row);
  if (invalid) return { reason: invalid, row, ...timed };
  if (openTime % context.stepMs !== 0) {
    return { reason: `open_time not on the ${context.interval} grid: ${isoOrNumber(openTime)}`, row, ...timed };
  }
  if (closeTime !== null && closeTime - openTime + 1 !== context.stepMs) {
    return { reason: `close_time − open_time + 1 is not ${context.interval}: ${closeTime - openTime + 1} ms`, row, ...timed };
  }
  return { row, ...timed };
}

/** A quarantine row: the values that fit their column (a garbage line may have none), the reason and where it came from. */
export function quarantineRow(quarantine: DatasetSpec, row: Row | undefined, fill: Row): Row {
  const out: Row = { ...fill };
  if (row) {
    for (const col of quarantine.columns) {
      const value = row[col.name];
      if (value === undefined || checkValue(col, value, { ranges: false })) continue;
      // Parquet timestamps past year 9999 (a µs time read as ms) would make the quarantine table unreadable.
      if (col.type === 'timestamp' && Math.abs(value as number) > 253_402_300_799_999) continue;
      if (col.type === 'int32' && Math.abs(value as number) > 2 ** 31 - 1) continue;
      if (col.type === 'int64' && !Number.isSafeInteger(value)) continue;
      out[col.name] = value;
    }
  }
  return out;
}
