import { UNTRUSTED_FLAGS } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { dayStart } from '../storage/lake-paths';
import { Table, type ColumnData } from '../table/table';
import { deriveBars, timeframeMs } from '../silver/derive-klines';
import { latestClosedIndex } from './align';
import { FEATURE_TIMEFRAMES, FEATURES, type FeatureTimeframe } from './feature-columns';
import { atr, bbands, macd, rsi } from './indicators';

/**
 * Gold `features_1m` for one day from Silver 1m bars that include enough earlier days for warm-up. Every
 * timeframe's indicators run over that timeframe's closed bars; each row at `ts` (its 1m candle's close) takes
 * the latest value whose bar closed at or before `ts`.
 */

const MINUTE = 60_000;
const DAY_MINUTES = 1440;

/** Days of earlier Silver 1m loaded before the target day: enough for the slowest EMA (15m MACD/RSI) to converge below double precision. */
export const WARMUP_DAYS = 7;

interface Series {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  flags: Float64Array;
}

function seriesOf(tf: FeatureTimeframe, oneMinute: Table): Series {
  if (tf === '1m') {
    return { open: oneMinute.num('open_time'), high: oneMinute.num('high'), low: oneMinute.num('low'), close: oneMinute.num('close'), flags: oneMinute.num('quality_flags') };
  }
  const rows = deriveBars(oneMinute, tf);
  const col = (k: string) => Float64Array.from(rows, (r) => r[k] as number);
  return { open: col('open_time'), high: col('high'), low: col('low'), close: col('close'), flags: col('quality_flags') };
}

/**
 * Runs a finite-window indicator on the bars from `from` on and returns full-length outputs (NaN before).
 * Running-sum indicators (SMA, Bollinger) accumulate rounding from wherever they start; starting them at a
 * point fixed by the day being built makes a daily build and a one-pass build compute the very same numbers.
 * (EMA-type indicators run over the whole loaded history instead: their memory decays below double precision
 * within the warm-up, so their start does not show.)
 */
function anchored<T extends Record<string, Float64Array>>(n: number, from: number, run: (start: number) => T): T {
  const part = run(from);
  const out = {} as Record<string, Float64Array>;
  for (const [k, v] of Object.entries(part)) {
    const full = new Float64Array(n).fill(NaN);
    full.set(v, from);
    out[k] = full;
  }
  return out as T;
}

/** The fixed core indicators of one timeframe, by feature name; `firstNeeded` is the first bar the day uses. */
function coreIndicators(tf: FeatureTimeframe, s: Series, firstNeeded: number): Record<string, Float64Array> {
  const n = s.close.length;
  const m = macd(s.close);
  const bb = anchored(n, Math.max(0, firstNeeded - 19), (from) => ({ ...bbands(s.close.subarray(from)) }));
  return {
    [`rsi_14_${tf}`]: rsi(s.close, 14),
    [`macd_${tf}`]: m.macd,
    [`macd_signal_${tf}`]: m.signal,
    [`macd_hist_${tf}`]: m.hist,
    [`bb_upper_20_${tf}`]: bb.upper,
    [`bb_middle_20_${tf}`]: bb.middle,
    [`bb_lower_20_${tf}`]: bb.lower,
    [`atr_14_${tf}`]: atr(s.high, s.low, s.close, 14),
  };
}

/**
 * `oneMinute`: Silver 1m bars sorted by open time, from the start of the warm-up window through the end of `dt`
 * (later rows are ignored, so passing more data can never change a row).
 */
export function computeFeatures(oneMinuteAll: Table, dt: string): Table {
  const spec = dataset('gold', 'features_1m');
  const start = dayStart(dt);
  const end = start + DAY_MINUTES * MINUTE;
  // Cut everything after the day: no row may see data from after its ts, and the day ends at the next midnight.
  const opens = oneMinuteAll.num('open_time');
  let cut = 0;
  while (cut < oneMinuteAll.length && opens[cut] < end) cut++;
  const oneMinute = cut === oneMinuteAll.length ? oneMinuteAll : oneMinuteAll.take(Int32Array.from({ length: cut }, (_, i) => i));

  const ts = new Float64Array(DAY_MINUTES);
  const openTime = new Float64Array(DAY_MINUTES);
  for (let m = 0; m < DAY_MINUTES; m++) { openTime[m] = start + m * MINUTE; ts[m] = openTime[m] + MINUTE; }

  const columns: Record<string, ColumnData> = {};
  const rowFlags = new Float64Array(DAY_MINUTES);
  const ok = new Uint8Array(DAY_MINUTES).fill(1);

  for (const tf of FEATURE_TIMEFRAMES) {
    const s = seriesOf(tf, oneMinute);
    const idx = latestClosedIndex(s.open, timeframeMs(tf), ts);
    let firstNeeded = 0;
    while (firstNeeded < DAY_MINUTES && idx[firstNeeded] < 0) firstNeeded++;
    const values = coreIndicators(tf, s, firstNeeded < DAY_MINUTES ? idx[firstNeeded] : s.close.length);
    for (const [name, v] of Object.entries(values)) {
      const out = new Float64Array(DAY_MINUTES);
      for (let m = 0; m < DAY_MINUTES; m++) out[m] = idx[m] < 0 ? NaN : v[idx[m]];
      columns[name] = out;
    }
    for (let m = 0; m < DAY_MINUTES; m++) {
      const j = idx[m];
      // The row's own 1m bar must be exactly the minute ending at ts; other timeframes use their latest closed bar.
      const present = j >= 0 && (tf !== '1m' || s.open[j] === openTime[m]);
      if (!present) { ok[m] = 0; if (tf === '1m') for (const name of Object.keys(values)) (columns[name] as Float64Array)[m] = NaN; continue; }
      rowFlags[m] = (rowFlags[m] | s.flags[j]) >>> 0;
      if (s.flags[j] & UNTRUSTED_FLAGS) ok[m] = 0;
    }
  }

  // The row's own candle.
  const bar = new Int32Array(DAY_MINUTES).fill(-1);
  const o1 = oneMinute.num('open_time');
  for (let i = 0; i < oneMinute.length; i++) if (o1[i] >= start) bar[(o1[i] - start) / MINUTE] = i;
  for (const k of ['open', 'high', 'low', 'close', 'volume']) {
    const src = oneMinute.num(k);
    columns[k] = Float64Array.from(bar, (i) => (i < 0 ? NaN : src[i]));
  }
  columns.ts = ts;
  columns.open_time = openTime;
  columns.quality_flags = rowFlags;
  const dataOk: boolean[] = new Array(DAY_MINUTES);
  for (let m = 0; m < DAY_MINUTES; m++) {
    let good = ok[m] === 1 && bar[m] >= 0;
    if (good) for (const f of FEATURES) if (Number.isNaN((columns[f.name] as Float64Array)[m])) { good = false; break; }
    dataOk[m] = good;
  }
  columns.data_ok = dataOk;
  return new Table(spec, DAY_MINUTES, columns);
}
