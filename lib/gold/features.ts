import { UNTRUSTED_FLAGS } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { dayStart } from '../storage/lake-paths';
import { Table, type ColumnData } from '../table/table';
import { latestClosedIndex } from './align';
import { barSeries, type BarSeries } from './bar-series';
import { expectedInputs, GoldInput, isDataOk, requiredInputs, type InputExpectation } from './data-ok';
import { BAR_GROUPS, FEATURE_TIMEFRAMES, FEATURES, LABELS, ROW_GROUPS } from './feature-columns';
import type { RowContext } from './groups/row-types';
import type { GoldInputs } from './inputs';

/**
 * Gold `features_1m` for a range of minutes. Every timeframe's bar features run over that timeframe's bars; a row
 * at `ts` (its 1m candle's close) takes the value of the latest bar closed at or before `ts`; row-level groups
 * (order book, perpetuals, daily context, ...) read only events before `ts`. Labels are the only columns that
 * read past `ts`.
 *
 * Partition independence: window features sum each window afresh (./windows.ts) and EMA-type recursions forget
 * their start below double precision within WARMUP_DAYS, so a day built from its warm-up window is bit-identical
 * to the same day inside a one-pass rebuild of any longer range (tested on the shared futures months).
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Days of earlier Silver 1m loaded before the first day built. The slowest recursion is EMA(50) on 15m bars:
 * (49/51)^(12 days x 96 bars) ≈ 1e-20, far below double precision (7 days would leave ≈ 2e-12).
 */
export const WARMUP_DAYS = 12;

/** Features of one UTC day. `input`: Silver 1m bars alone or every input; later rows than the day feed labels only. */
export function computeFeatures(input: GoldInputs | Table, dt: string): Table {
  const inputs: GoldInputs = input instanceof Table ? { klines1m: input } : input;
  const start = dayStart(dt);
  return computeFeatureRange(inputs, start, start + DAY);
}

function cutBefore(table: Table, column: string, end: number): Table {
  const v = table.num(column);
  let cut = 0;
  while (cut < table.length && v[cut] < end) cut++;
  return cut === table.length ? table : table.take(Int32Array.from({ length: cut }, (_, i) => i));
}

/** Rows for the 1m candles opening in [from, to), both on the minute grid. */
export function computeFeatureRange(inputs: GoldInputs, from: number, to: number): Table {
  if (from % MINUTE || to % MINUTE || to <= from) throw new Error(`feature range must be whole minutes, got ${from}..${to}`);
  const spec = dataset('gold', 'features_1m');
  const rows = (to - from) / MINUTE;
  // Features see only bars opening before `to`; what follows feeds the labels alone.
  const oneMinute = cutBefore(inputs.klines1m, 'open_time', to);

  const ts = new Float64Array(rows);
  const openTime = new Float64Array(rows);
  for (let m = 0; m < rows; m++) {
    openTime[m] = from + m * MINUTE;
    ts[m] = openTime[m] + MINUTE;
  }

  const aligned: Record<string, Float64Array> = {};
  const rowFlags = new Float64Array(rows);
  const usable = new Uint32Array(rows);
  let series1m: BarSeries | undefined;

  for (const tf of FEATURE_TIMEFRAMES) {
    const series = barSeries(oneMinute, tf);
    if (tf === '1m') series1m = series;
    const idx = latestClosedIndex(series.openTime, series.intervalMs, ts);
    // The row's own 1m bar must be exactly the minute ending at ts; other timeframes use their latest closed bar.
    const use = Int32Array.from(idx, (j, m) => (j >= 0 && (tf !== '1m' || series.openTime[j] === openTime[m]) ? j : -1));
    for (const g of BAR_GROUPS) {
      for (const [name, v] of Object.entries(g.compute(series, tf))) {
        const out = new Float64Array(rows);
        for (let m = 0; m < rows; m++) out[m] = use[m] < 0 ? NaN : v[use[m]];
        aligned[name] = out;
      }
    }
    const bit = CANDLE_BIT[tf];
    for (let m = 0; m < rows; m++) {
      const j = use[m];
      if (j < 0) continue;
      rowFlags[m] = (rowFlags[m] | series.flags[j]) >>> 0;
      // The bar must be the one closing at the last boundary: an older one (its successor entirely missing) is stale.
      const current = series.openTime[j] + series.intervalMs === Math.floor(ts[m] / series.intervalMs) * series.intervalMs;
      if (current && !(series.flags[j] & UNTRUSTED_FLAGS)) usable[m] |= bit;
    }
  }

  // The row's own candle.
  const s1 = series1m!;
  const bar = new Int32Array(rows).fill(-1);
  for (let i = 0; i < s1.length; i++) {
    const m = (s1.openTime[i] - from) / MINUTE;
    if (m >= 0 && m < rows) bar[m] = i;
  }
  const columns: Record<string, ColumnData> = {};
  const own = { open: s1.open, high: s1.high, low: s1.low, close: s1.close, volume: s1.volume };
  for (const [k, src] of Object.entries(own)) columns[k] = Float64Array.from(bar, (i) => (i < 0 ? NaN : src[i]));

  const ctx: RowContext = {
    rows,
    from,
    ts,
    openTime,
    oneMinute: s1,
    inputs: { ...inputs, klines1m: oneMinute },
    aligned: Object.assign(aligned, { close: columns.close as Float64Array }),
    usable,
  };
  for (const g of ROW_GROUPS) Object.assign(aligned, g.compute(ctx));
  for (const feature of FEATURES) columns[feature.name] = aligned[feature.name];
  Object.assign(columns, labels(inputs.klines1m, from, rows));

  columns.ts = ts;
  columns.open_time = openTime;
  columns.quality_flags = rowFlags;
  columns.inputs = Float64Array.from(usable);
  columns.data_ok = dataOk(columns, usable, openTime, inputs.expected ?? expectedInputs());
  return new Table(spec, rows, columns);
}

const CANDLE_BIT: Record<string, number> = { '1m': GoldInput.KLINE_1M, '5m': GoldInput.KLINE_5M, '15m': GoldInput.KLINE_15M };
const REQUIRED = FEATURES.filter((f) => f.required).map((f) => f.name);

/** The rule of ./data-ok.ts applied to every row; required features are checked column by column (one array per pass). */
function dataOk(
  columns: Record<string, ColumnData>,
  usable: Uint32Array,
  openTime: Float64Array,
  expected: InputExpectation,
): boolean[] {
  const ready = new Uint8Array(usable.length).fill(1);
  for (const name of REQUIRED) {
    const c = columns[name] as Float64Array;
    for (let m = 0; m < ready.length; m++) if (Number.isNaN(c[m])) ready[m] = 0;
  }
  return Array.from(usable, (bits, m) => isDataOk(bits, requiredInputs(expected, openTime[m]), ready[m] === 1));
}

/** Forward log returns from the row's close; null where either bar is missing or untrusted. */
function labels(klines: Table, from: number, rows: number): Record<string, Float64Array> {
  const maxH = Math.max(...LABELS.map((l) => l.horizonMinutes));
  const close = new Float64Array(rows + maxH).fill(NaN);
  const open = klines.num('open_time');
  const c = klines.num('close');
  const flags = klines.num('quality_flags');
  for (let i = 0; i < klines.length; i++) {
    const m = (open[i] - from) / MINUTE;
    if (m >= 0 && m < close.length && !(flags[i] & UNTRUSTED_FLAGS)) close[m] = c[i];
  }
  const out: Record<string, Float64Array> = {};
  for (const l of LABELS) {
    out[l.name] = Float64Array.from({ length: rows }, (_, m) => {
      const a = close[m];
      const b = close[m + l.horizonMinutes];
      return a > 0 && b > 0 ? Math.log(b / a) : NaN;
    });
  }
  return out;
}
