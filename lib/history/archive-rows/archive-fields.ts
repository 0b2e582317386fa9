import { ARCHIVE_MARKETS, archiveDataset, type ArchiveDataset } from '../../exchanges/binance/archive-layout';
import { baseQuote } from '../../exchanges/symbols';
import type { DatasetSpec, Row } from '../../schema/types';
import { checkExchangeTime, isoOrNumber, validateRow } from '../../schema/validate';
import type { ArchiveLineContext, ArchiveReject } from '../archive-row-mapper';
import { clip, timeInUnit } from '../binance-klines-archive';

/**
 * Reading one archive CSV line's fields by column name, in the file's own spelling (docs/history.md, "CSV layouts"):
 * epoch times in ms or µs or UTC text, booleans `True`/`False` or `true`/`false`, decimals as printed. The first
 * problem found is the line's reject reason; like lib/history/import-lines.ts, its text before ': ' names the rule
 * (`price is not a number: 'x'`), so quarantine counts group by rule rather than by value.
 */

/** Plain decimals as the archive prints them (an exponent allowed); Number() alone would take '', '0x1f' or 'Infinity'. */
export const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const UNSIGNED_INTEGER = /^\d+$/;
/** The metrics and bookDepth time text (docs/history.md): UTC, no zone written. */
const UTC_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export class ArchiveFieldReader {
  private problem: string | null = null;
  private readonly columns: readonly string[];

  constructor(
    private readonly fields: readonly string[],
    private readonly context: ArchiveLineContext,
    dataset: ArchiveDataset,
  ) {
    if (context.file.dataset !== dataset) {
      // A caller bug (the mapper table picked the wrong mapper), not a bad line: no quarantine reason fits it.
      throw new Error(`a ${dataset} mapper was given a ${context.file.dataset} file (${context.file.fileName})`);
    }
    const spec = archiveDataset(context.file.market, dataset);
    if (!spec) throw new Error(`the ${context.file.market} archive has no ${dataset}`);
    this.columns = spec.columns;
    if (fields.length !== spec.columns.length) this.fail(`expected ${spec.columns.length} columns, got ${fields.length}`);
  }

  /** The first problem so far, or null. */
  get reason(): string | null {
    return this.problem;
  }

  /** Records a problem unless an earlier one is already the line's reason. */
  fail(reason: string): void {
    this.problem ??= reason;
  }

  /** A field's text, trimmed; '' for a column the line lacks. */
  text(column: string): string {
    const index = this.columns.indexOf(column);
    if (index < 0) throw new Error(`${this.context.file.dataset} has no column ${column}`);
    return (this.fields[index] ?? '').trim();
  }

  /** Epoch ms of a time field in the file's format (ArchiveFile.timeFormat); µs keep their whole milliseconds. */
  time(column: string): number {
    const text = this.text(column);
    const format = this.context.file.timeFormat;
    if (format === 'text') {
      const ms = parseUtcText(text);
      if (ms === null) return this.reject(`${column} is not a 'YYYY-MM-DD HH:MM:SS' time: '${clip(text)}'`);
      return ms;
    }
    const ms = timeInUnit(column, text, format);
    return typeof ms === 'string' ? this.reject(ms) : ms;
  }

  /** A decimal; null for an empty field when `optional` (metrics leave fields empty, docs/history.md). */
  decimal(column: string, optional = false): number | null {
    const text = this.text(column);
    if (text === '' && optional) return null;
    if (!DECIMAL.test(text)) return this.reject(`${column} is not a number: '${clip(text)}'`);
    const value = Number(text);
    return Number.isFinite(value) ? value : this.reject(`${column} is not finite: '${clip(text)}'`);
  }

  /** A non-negative integer that a double holds exactly (ids, counts). */
  integer(column: string): number {
    const text = this.text(column);
    const value = Number(text);
    if (!UNSIGNED_INTEGER.test(text)) return this.reject(`${column} is not an integer: '${clip(text)}'`);
    return Number.isSafeInteger(value) ? value : this.reject(`${column} is beyond 2^53: '${clip(text)}'`);
  }

  /** A boolean as the file's market spells it (ARCHIVE_MARKETS[market].booleans); the other market's spelling is refused. */
  boolean(column: string): boolean {
    const text = this.text(column);
    const [yes, no] = ARCHIVE_MARKETS[this.context.file.market].booleans;
    if (text === yes) return true;
    if (text === no) return false;
    this.fail(`${column} is not a boolean: '${clip(text)}' (the ${this.context.file.market} archive writes ${yes}/${no})`);
    return false;
  }

  /**
   * The Bronze row (the exchange fields plus the Bronze meta columns), or the line's reject: the first problem
   * read, then checkedArchiveRow's checks.
   */
  finish(spec: DatasetSpec, fields: Row, timeColumn: string): Row | ArchiveReject {
    if (this.problem !== null) return { reject: this.problem };
    const { base, quote } = baseQuote(this.context.symbol);
    const row: Row = { ...fields, base, quote, ingest_time: this.context.ingestMs, source: 'archive' };
    return checkedArchiveRow(spec, row, timeColumn, this.context);
  }

  private reject(reason: string): number {
    this.fail(reason);
    return Number.NaN;
  }
}

/**
 * The checks every mapped row passes before Bronze, in order: the exchange's era (checkExchangeTime), the file's
 * days, the registry's ranges (validateRow). Every mapper ends with them, so lib/history/archive-file-import.ts
 * does not check again (docs/history.md, "Archive rows in Bronze"). `timeColumn` is the archive's name of the
 * row's time column, for the reason.
 */
export function checkedArchiveRow(
  spec: DatasetSpec,
  row: Row,
  timeColumn: string,
  context: ArchiveLineContext,
): Row | ArchiveReject {
  const eventMs = row[spec.timeColumn];
  if (typeof eventMs !== 'number') return { reject: `${timeColumn} is not a time` };
  const timeProblem = archiveTimeProblem(context, timeColumn, eventMs);
  if (timeProblem) return { reject: timeProblem, row };
  const invalid = validateRow(spec, row);
  return invalid ? { reject: invalid, row } : row;
}

/**
 * The time checks of checkedArchiveRow: the exchange's era, then the file's days. Each accepts one interval of
 * times, so a range whose two ends pass holds only passing times (ArchiveLineParser relies on this).
 */
export function archiveTimeProblem(context: ArchiveLineContext, timeColumn: string, eventMs: number): string | null {
  return checkExchangeTime(context.exchange, timeColumn, eventMs, context.ingestMs) ?? outsideFile(context, timeColumn, eventMs);
}

/**
 * A time outside the days the file names is a spliced or misnamed file, as a unit change inside a file is
 * (lib/history/binance-klines-archive.ts); its rows would land in another file's partitions.
 */
function outsideFile(context: ArchiveLineContext, column: string, ms: number): string | null {
  const { firstDay, lastDay } = context.file;
  const day = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : '';
  if (day >= firstDay && day <= lastDay) return null;
  return `${column} outside the file's days: ${isoOrNumber(ms)} is not within ${firstDay}…${lastDay}`;
}

/** Epoch ms of `YYYY-MM-DD HH:MM:SS` read as UTC, or null when the text is not such a time of the calendar. */
export function parseUtcText(text: string): number | null {
  const match = UTC_TEXT.exec(text);
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  // Date.UTC rolls 2024-02-30 over into March; a time that does not read back is not a calendar time.
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hours &&
    back.getUTCMinutes() === minutes &&
    back.getUTCSeconds() === seconds;
  return same ? ms : null;
}
