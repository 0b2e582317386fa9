import { QualityFlag } from '../schema/quality-flags';

/**
 * Zero-volume bars mean two different things. Exchanges fill outage minutes with placeholder bars (volume 0,
 * no trades, O=H=L=C); thin markets have genuinely quiet minutes. We call a run of placeholder bars an outage
 * only on a market that otherwise trades nearly every minute.
 */

export const OUTAGE_RULES = {
  /** A run of at least this many placeholder bars can be an outage. */
  minRunBars: 10,
  /** Runs separated by at most this many trading bars are one outage (exchanges emit a stray bar mid-incident). */
  mergeGapBars: 2,
  /** The market is "liquid" when, outside candidate runs, at most this share of bars is empty. */
  maxQuietShare: 0.05,
} as const;

export interface BarView {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount: number;
}

export function isPlaceholderBar(bar: BarView): boolean {
  return (
    bar.volume === 0 &&
    (Number.isNaN(bar.tradeCount) || bar.tradeCount === 0) &&
    bar.open === bar.high &&
    bar.high === bar.low &&
    bar.low === bar.close
  );
}

/**
 * Flags for each bar of a day's consecutive series (null entries are missing minutes, which break runs):
 * EXCHANGE_OUTAGE for placeholder runs on a liquid market, NO_TRADES for other zero-volume bars.
 */
export function zeroVolumeFlags(bars: readonly (BarView | null)[]): Int32Array {
  const n = bars.length;
  const flags = new Int32Array(n);
  const placeholder = bars.map((b) => b !== null && isPlaceholderBar(b));

  // Maximal runs of placeholder bars; runs of at least minRunBars are outage candidates.
  const runs: [number, number][] = [];
  for (let i = 0; i < n; ) {
    if (!placeholder[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && placeholder[j + 1]) j++;
    runs.push([i, j]);
    i = j + 1;
  }
  const isLong = ([a, b]: [number, number]) => b - a + 1 >= OUTAGE_RULES.minRunBars;

  // Liquidity is judged outside the long runs: scattered empty minutes mean a thin market.
  const inLong = new Uint8Array(n);
  for (const r of runs) if (isLong(r)) inLong.fill(1, r[0], r[1] + 1);
  let present = 0;
  let quiet = 0;
  for (let i = 0; i < n; i++) {
    const bar = bars[i];
    if (!bar || inLong[i]) continue;
    present++;
    if (bar.volume === 0) quiet++;
  }
  const liquid = present === 0 || quiet / present <= OUTAGE_RULES.maxQuietShare;

  // On a liquid market a long run is an outage, together with a short placeholder run right next to it (a stray
  // trading bar mid-incident). Only one neighbour per side is absorbed, so quiet minutes never chain into it.
  const near = (endA: number, startB: number) =>
    startB - endA - 1 <= OUTAGE_RULES.mergeGapBars && bars.slice(endA + 1, startB).every((b) => b !== null);
  const inRun = new Uint8Array(n);
  if (liquid) {
    runs.forEach((r, k) => {
      if (!isLong(r)) return;
      let [a, b] = r;
      if (k > 0 && near(runs[k - 1][1], a)) a = runs[k - 1][0];
      if (k + 1 < runs.length && near(b, runs[k + 1][0])) b = runs[k + 1][1];
      inRun.fill(1, a, b + 1);
    });
  }

  for (let i = 0; i < n; i++) {
    const b = bars[i];
    if (!b || b.volume !== 0) continue;
    flags[i] = inRun[i] && placeholder[i] ? QualityFlag.EXCHANGE_OUTAGE : QualityFlag.NO_TRADES;
  }
  return flags;
}
