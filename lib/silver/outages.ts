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

export function isPlaceholderBar(b: BarView): boolean {
  return b.volume === 0 && (Number.isNaN(b.tradeCount) || b.tradeCount === 0) && b.open === b.high && b.high === b.low && b.low === b.close;
}

/**
 * Flags for each bar of a day's consecutive series (null entries are missing minutes, which break runs):
 * EXCHANGE_OUTAGE for placeholder runs on a liquid market, NO_TRADES for other zero-volume bars.
 */
export function zeroVolumeFlags(bars: readonly (BarView | null)[]): Int32Array {
  const n = bars.length;
  const flags = new Int32Array(n);
  const placeholder = bars.map((b) => b !== null && isPlaceholderBar(b));

  // Candidate runs of placeholder bars, merged across short interruptions.
  const runs: [number, number][] = [];
  for (let i = 0; i < n; ) {
    if (!placeholder[i]) { i++; continue; }
    let j = i;
    while (j + 1 < n && placeholder[j + 1]) j++;
    const last = runs[runs.length - 1];
    if (last && i - last[1] - 1 <= OUTAGE_RULES.mergeGapBars && bars.slice(last[1] + 1, i).every((b) => b !== null)) last[1] = j;
    else runs.push([i, j]);
    i = j + 1;
  }
  const countPlaceholders = (a: number, b: number) => { let c = 0; for (let k = a; k <= b; k++) if (placeholder[k]) c++; return c; };
  const outageRuns = runs.filter(([a, b]) => countPlaceholders(a, b) >= OUTAGE_RULES.minRunBars);

  const inRun = new Uint8Array(n);
  for (const [a, b] of outageRuns) inRun.fill(1, a, b + 1);
  let present = 0;
  let quiet = 0;
  for (let i = 0; i < n; i++) {
    const b = bars[i];
    if (!b || inRun[i]) continue;
    present++;
    if (b.volume === 0) quiet++;
  }
  const liquid = present === 0 || quiet / present <= OUTAGE_RULES.maxQuietShare;

  for (let i = 0; i < n; i++) {
    const b = bars[i];
    if (!b || b.volume !== 0) continue;
    flags[i] = liquid && inRun[i] && placeholder[i] ? QualityFlag.EXCHANGE_OUTAGE : QualityFlag.NO_TRADES;
  }
  return flags;
}
