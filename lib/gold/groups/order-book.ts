import { GoldInput } from '../data-ok';
import { spec } from '../feature-spec';
import type { RowContext, RowFeatureGroup } from './row-types';

/**
 * Category 3, order book, from the book_top10 snapshots whose event time falls inside the row's minute
 * [open_time, ts). Levels missing from a thin book count as size 0.
 */

const MINUTE = 60_000;
const IMBALANCE_LEVELS = [1, 3, 5, 10] as const;
const PRESSURE_LEVELS = 5;

const ob = (name: string, definition: string, range: { min?: number; max?: number } = {}) =>
  spec({
    name: `book_${name}_1m`,
    category: 'order_book',
    timeframe: 'events',
    definition,
    warmupBars: 0,
    required: false,
    ...range,
  });

const specs = [
  ...IMBALANCE_LEVELS.map((k) =>
    ob(
      `imbalance_l${k}`,
      `mean over the minute's snapshots of (bid size - ask size) / (bid size + ask size) summed over the top ${k} level${k > 1 ? 's' : ''}`,
      { min: -1, max: 1 },
    ),
  ),
  ob('spread_bps', "mean over the minute's snapshots of (best ask - best bid) / mid, basis points", { min: 0 }),
  ob('whale_bid_qty', 'largest single bid size among the top 10 levels in the last snapshot of the minute', { min: 0 }),
  ob('whale_bid_dist_bps', 'distance of that largest bid below mid, basis points', { min: 0 }),
  ob('whale_ask_qty', 'largest single ask size among the top 10 levels in the last snapshot of the minute', { min: 0 }),
  ob('whale_ask_dist_bps', 'distance of that largest ask above mid, basis points', { min: 0 }),
  ob(
    `pressure_l${PRESSURE_LEVELS}`,
    `change of the top-${PRESSURE_LEVELS} imbalance inside the minute: last snapshot's minus first snapshot's`,
    { min: -2, max: 2 },
  ),
  ob('snapshots', 'number of book snapshots in the minute', { min: 0 }),
];

function compute(ctx: RowContext): Record<string, Float64Array> {
  const n = ctx.rows;
  const out: Record<string, Float64Array> = Object.fromEntries(specs.map((s) => [s.name, new Float64Array(n).fill(NaN)]));
  const book = ctx.inputs.book;
  if (!book || book.length === 0) return out;
  const time = book.num('event_time');
  const bidPx = Array.from({ length: 10 }, (_, k) => book.num(`bid_px_${k + 1}`));
  const bidSz = Array.from({ length: 10 }, (_, k) => book.num(`bid_sz_${k + 1}`));
  const askPx = Array.from({ length: 10 }, (_, k) => book.num(`ask_px_${k + 1}`));
  const askSz = Array.from({ length: 10 }, (_, k) => book.num(`ask_sz_${k + 1}`));
  const size = (v: number) => (Number.isNaN(v) ? 0 : v);

  const count = new Float64Array(n);
  const sums = IMBALANCE_LEVELS.map(() => new Float64Array(n));
  const imbCount = IMBALANCE_LEVELS.map(() => new Float64Array(n));
  const spreadSum = new Float64Array(n);
  const spreadCount = new Float64Array(n);
  const first = new Float64Array(n).fill(NaN);
  const firstTime = new Float64Array(n).fill(Infinity);
  const last = new Int32Array(n).fill(-1);
  const lastTime = new Float64Array(n).fill(-Infinity);

  const imbalance = (i: number, k: number): number => {
    let b = 0;
    let a = 0;
    for (let l = 0; l < k; l++) {
      b += size(bidSz[l][i]);
      a += size(askSz[l][i]);
    }
    return b + a > 0 ? (b - a) / (b + a) : NaN;
  };

  for (let i = 0; i < book.length; i++) {
    const m = Math.floor((time[i] - ctx.from) / MINUTE);
    if (!(m >= 0 && m < n)) continue;
    count[m]++;
    IMBALANCE_LEVELS.forEach((k, j) => {
      const x = imbalance(i, k);
      if (!Number.isNaN(x)) {
        sums[j][m] += x;
        imbCount[j][m]++;
      }
    });
    const bid = bidPx[0][i];
    const ask = askPx[0][i];
    if (bid > 0 && ask > 0) {
      spreadSum[m] += ((ask - bid) / ((ask + bid) / 2)) * 10_000;
      spreadCount[m]++;
    }
    // Ties in event time keep the earlier row as first and the later as last: Silver sorts snapshots by time.
    if (time[i] < firstTime[m]) {
      firstTime[m] = time[i];
      first[m] = imbalance(i, PRESSURE_LEVELS);
    }
    if (time[i] >= lastTime[m]) {
      lastTime[m] = time[i];
      last[m] = i;
    }
  }

  for (let m = 0; m < n; m++) {
    if (count[m] === 0) continue;
    ctx.usable[m] |= GoldInput.BOOK;
    out.book_snapshots_1m[m] = count[m];
    IMBALANCE_LEVELS.forEach((k, j) => {
      if (imbCount[j][m]) out[`book_imbalance_l${k}_1m`][m] = sums[j][m] / imbCount[j][m];
    });
    if (spreadCount[m]) out.book_spread_bps_1m[m] = spreadSum[m] / spreadCount[m];
    const i = last[m];
    out[`book_pressure_l${PRESSURE_LEVELS}_1m`][m] = imbalance(i, PRESSURE_LEVELS) - first[m];
    const mid = (bidPx[0][i] + askPx[0][i]) / 2;
    if (!(mid > 0)) continue;
    let wb = -1;
    let wa = -1;
    for (let l = 0; l < 10; l++) {
      if (size(bidSz[l][i]) > 0 && (wb < 0 || bidSz[l][i] > bidSz[wb][i])) wb = l;
      if (size(askSz[l][i]) > 0 && (wa < 0 || askSz[l][i] > askSz[wa][i])) wa = l;
    }
    if (wb >= 0) {
      out.book_whale_bid_qty_1m[m] = bidSz[wb][i];
      out.book_whale_bid_dist_bps_1m[m] = ((mid - bidPx[wb][i]) / mid) * 10_000;
    }
    if (wa >= 0) {
      out.book_whale_ask_qty_1m[m] = askSz[wa][i];
      out.book_whale_ask_dist_bps_1m[m] = ((askPx[wa][i] - mid) / mid) * 10_000;
    }
  }
  return out;
}

export const orderBook: RowFeatureGroup = { specs, compute };
