import { KLINE_TIMEFRAMES, timeframeMs } from '../schema/columns';
import { ArchiveError } from './archive-source';
import { clip, timeTextUnit, type TimeUnit } from './binance-klines-archive';
import { LAYOUT_COLUMNS, type KlineLayout } from './kline-file-layouts';

/**
 * What a kline file is, decided from many lines rather than the first one (a single garbage line must not turn a
 * good file into nulls): whether line 1 is a header, the column count most lines share (hence the layout), the
 * time unit most open times are written in, and each column's usual number of decimals (to tell a cut-off last
 * line). The interval is checked against the data separately (IntervalEvidence), over the whole file.
 */

/** Lines the profile is decided from: enough to outvote any handful of damaged lines, little enough to hold. */
export const PROFILE_SAMPLE = 1_000;

export interface KlineFileProfile {
  /** Line 1's fields when it is a header row. */
  header: readonly string[] | null;
  columns: number;
  layout: KlineLayout;
  unit: TimeUnit;
  /** Per column: how many of the sampled non-zero numbers had each number of decimals. */
  decimals: Map<number, number>[];
}

export interface SampledRecord {
  line: number;
  fields: readonly string[];
}

const HEADER_FIELD = /^[A-Za-z_][A-Za-z0-9_ ]*$/;
const DECIMAL = /^-?\d+(?:\.(\d+))?$/;

const mode = <K>(counts: Map<K, number>): [K, number] | undefined => {
  let best: [K, number] | undefined;
  for (const [value, count] of counts) if (!best || count > best[1]) best = [value, count];
  return best;
};

const inc = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

/** Whether a header names the four prices, as every klines layout's header does (trades headers do not). */
function looksLikeKlinesHeader(fields: readonly string[]): boolean {
  const words = new Set(fields.flatMap((f) => f.toLowerCase().split(/[^a-z]+/)));
  return ['open', 'high', 'low', 'close'].every((w) => words.has(w));
}

/** Decides the profile from the file's first records; a file no klines layout fits is refused (ArchiveError). */
export function profileKlineFile(name: string, sample: readonly SampledRecord[]): KlineFileProfile {
  if (sample.length === 0) throw new ArchiveError(`${name}: holds no data rows`);
  const first = sample[0].fields;
  const headerCandidate = first.length > 1 && first.every((f) => HEADER_FIELD.test(f));
  const data = headerCandidate ? sample.slice(1) : sample;
  if (data.length === 0) throw new ArchiveError(`${name}: holds a header and no data rows`);

  const counts = new Map<number, number>();
  for (const record of data) inc(counts, record.fields.length);
  const [columns, agreeing] = mode(counts)!;
  if (agreeing * 2 < data.length) {
    throw new ArchiveError(
      `${name}: no column count is shared by most of the first ${data.length} lines ` +
        `(${[...counts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([c, n]) => `${n} with ${c}`)
          .join(', ')}): not a kline file`,
    );
  }
  const layout = LAYOUT_COLUMNS[columns];
  if (!layout) {
    throw new ArchiveError(
      `${name}: lines have ${columns} columns, which no kline layout has ` +
        '(Binance archive 12, OHLCV 6, Kraken OHLCVT 7): likely another dataset (aggTrades archives have 8 columns, trades 7) or format',
    );
  }
  // A first line with the data's column count and only names in it is the header; otherwise it is a (bad) data line.
  const header = headerCandidate && first.length === columns ? first : null;
  if (header && !looksLikeKlinesHeader(header)) {
    throw new ArchiveError(
      `${name}: the header (${clip(header.join(','))}) names no open/high/low/close columns: ` +
        'not a klines file, check --dataset',
    );
  }
  const body = header ? data : sample;
  const usual = body.filter((r) => r.fields.length === columns);

  const units = new Map<TimeUnit, number>();
  for (const record of usual) {
    const unit = timeTextUnit(record.fields[0]);
    if (unit) inc(units, unit);
  }
  const top = mode(units);
  if (!top || top[1] * 2 < usual.length) {
    const example = usual.find((r) => !timeTextUnit(r.fields[0]))?.fields[0] ?? usual[0]?.fields[0] ?? '';
    throw new ArchiveError(
      `${name}: open times like '${clip(example)}' are in no time format this import reads ` +
        '(epoch s/ms/µs, ISO-8601): likely another dataset or format',
    );
  }

  return { header, columns, layout, unit: top[0], decimals: columnDecimals(usual, columns) };
}

/** Per column of the first `columns`: how many of the records' non-zero numbers had each number of decimals. */
export function columnDecimals(records: readonly SampledRecord[], columns: number): Map<number, number>[] {
  const decimals = Array.from({ length: columns }, () => new Map<number, number>());
  for (const record of records) {
    record.fields.forEach((field, i) => {
      const match = DECIMAL.exec(field);
      if (i < columns && match && Number(field) !== 0) inc(decimals[i], match[1]?.length ?? 0);
    });
  }
  return decimals;
}

/** Columns need this many sampled values before their precision is trusted. */
const MIN_PRECISION_SAMPLE = 20;
/** A number of decimals this rare in a column (share of the sample) is not the column's own. */
const RARE_PRECISION = 0.01;

/**
 * For a last line that ends without a newline (a download cut short ends like that): the reason it looks cut,
 * or null. A field is cut when it has fewer decimals than its column usually has and that count is rare there,
 * e.g. `108381.55548` cut to `108` where the column always shows 5 decimals.
 */
export function truncatedField(
  profile: Pick<KlineFileProfile, 'header' | 'columns' | 'decimals'>,
  fields: readonly string[],
): string | null {
  if (fields.length < profile.columns)
    return `last line cut short: ${fields.length} of ${profile.columns} columns, and no newline`;
  for (let i = 1; i < profile.columns; i++) {
    const match = DECIMAL.exec(fields[i]);
    if (!match || Number(fields[i]) === 0) continue;
    const hist = profile.decimals[i];
    let total = 0;
    for (const count of hist.values()) total += count;
    const usual = mode(hist);
    if (!usual || total < MIN_PRECISION_SAMPLE) continue;
    const decimals = match[1]?.length ?? 0;
    if (decimals < usual[0] && (hist.get(decimals) ?? 0) <= RARE_PRECISION * total) {
      const label = profile.header?.[i] ?? `column ${i + 1}`;
      return `last line cut short: ${label} '${clip(fields[i])}' has ${decimals} decimals where the column has ${usual[0]}, and no newline`;
    }
  }
  return null;
}

/** Name of a duration when it is a kline interval (`1h`), else the milliseconds. */
export function durationName(ms: number): string {
  return KLINE_TIMEFRAMES.find((tf) => timeframeMs(tf) === ms) ?? `${ms} ms`;
}

/** Fewer consecutive pairs than this say nothing about a file's spacing. */
const MIN_SPACINGS = 10;

/**
 * What the data says its interval is: close_time − open_time + 1 ms of each Binance archive row, and the step
 * between consecutive open times. Rows are fed in file order; gaps (Kraken omits quiet minutes) and shuffled
 * files spread the steps out, so only a step shared by most pairs counts as evidence.
 */
export class IntervalEvidence {
  private readonly durations = new Map<number, number>();
  private readonly steps = new Map<number, number>();
  /** Rows whose open time lies on each interval's grid. */
  private readonly onGrid = new Map<string, number>();
  private count = 0;
  private durationCount = 0;
  private stepCount = 0;
  private prev = NaN;

  add(openTime: number, closeTime: number | null): void {
    this.count++;
    for (const tf of KLINE_TIMEFRAMES) if (openTime % timeframeMs(tf) === 0) inc(this.onGrid, tf);
    if (closeTime !== null) {
      inc(this.durations, closeTime - openTime + 1);
      this.durationCount++;
    }
    if (openTime !== this.prev && Number.isFinite(this.prev)) {
      inc(this.steps, Math.abs(openTime - this.prev));
      this.stepCount++;
    }
    this.prev = openTime;
  }

  /** Why the data contradicts `interval`, or null when it does not. */
  contradiction(interval: string): string | null {
    const step = timeframeMs(interval);
    const duration = mode(this.durations);
    if (duration && duration[0] !== step && duration[1] * 2 > this.durationCount) {
      const share = pct(duration[1], this.durationCount);
      return (
        `the rows are ${durationName(duration[0])} klines (close_time − open_time + 1 = ${duration[0]} ms in ${share} of ` +
        `them), not ${interval}`
      );
    }
    const onGrid = this.onGrid.get(interval) ?? 0;
    if (onGrid * 2 < this.count) {
      const finest = [...KLINE_TIMEFRAMES].reverse().find((tf) => (this.onGrid.get(tf) ?? 0) * 2 > this.count);
      return (
        `only ${pct(onGrid, this.count)} of the open times fall on the ${interval} grid` +
        `${finest ? ` (most fall on the ${finest} grid)` : ''}: the data is finer than ${interval}`
      );
    }
    const spacing = mode(this.steps);
    if (spacing && this.stepCount >= MIN_SPACINGS && spacing[0] !== step && spacing[1] * 2 > this.stepCount) {
      return `consecutive rows are ${durationName(spacing[0])} apart (${pct(spacing[1], this.stepCount)} of them), not ${interval}`;
    }
    return null;
  }
}

const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(n === of ? 0 : 1)} %`;
