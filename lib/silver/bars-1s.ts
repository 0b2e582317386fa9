import { SOURCES } from '../schema/columns';
import { QualityFlag } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { dayStart } from '../storage/lake-paths';
import { Table, type ColumnData } from '../table/table';
import { SECOND_MS } from '../util/time';

/**
 * Silver `bars_1s` of one day from Silver trades and quotes (docs/silver.md#rules-per-dataset): one row per second
 * holding at least one trade or quote. Work is done on per-second arrays of the day (86,400 slots), one pass over each
 * input, so a day of millions of trades costs a few hundred milliseconds and no object per row.
 *
 * - OHLC: first / last trade by event time (ties in input order, i.e. trade id), high / low; volume = Σqty,
 *   quote_volume = Σquote_qty, vwap = Σprice·qty / Σqty (null when Σqty is 0), trade_count.
 * - bid / ask: the last quote at or before the end of the second, carried forward from earlier seconds (quotes
 *   before the day seed it); null before the first quote. spread = ask − bid, null for a crossed quote, which
 *   the registry forbids (spread ≥ 0) and Silver quotes should never hold.
 * - A second with quotes but no trades: null OHLC and vwap, zero volume and trade_count, flag NO_TRADES.
 * - quality_flags: OR of the flags of the second's trades (an OUTLIER print taints its bar), BACKFILLED when a
 *   trade came from REST, NO_TRADES as above.
 * - source: that of the second's last trade, or of its last quote when it has no trades.
 * - ingest_time: the latest ingest time of the rows the bar was built from (when it was fully known).
 */

const DAY_SECONDS = 86_400;

export function buildBars1s(trades: Table, quotes: Table | undefined, dt: string): Table {
  const spec = dataset('silver', 'bars_1s');
  const start = dayStart(dt);
  const end = start + DAY_SECONDS * SECOND_MS;
  const sourceCode = new Map<string, number>(SOURCES.map((s, i) => [s, i + 1]));

  const count = new Float64Array(DAY_SECONDS);
  const open = new Float64Array(DAY_SECONDS).fill(NaN);
  const close = new Float64Array(DAY_SECONDS).fill(NaN);
  const high = new Float64Array(DAY_SECONDS).fill(-Infinity);
  const low = new Float64Array(DAY_SECONDS).fill(Infinity);
  const openT = new Float64Array(DAY_SECONDS).fill(Infinity);
  const closeT = new Float64Array(DAY_SECONDS).fill(-Infinity);
  const vol = new Float64Array(DAY_SECONDS);
  const quoteVol = new Float64Array(DAY_SECONDS);
  const pxQty = new Float64Array(DAY_SECONDS);
  const flags = new Int32Array(DAY_SECONDS);
  const ingestMax = new Float64Array(DAY_SECONDS).fill(NaN);
  const tradeSource = new Uint8Array(DAY_SECONDS);
  let base: string | null = null;
  let quoteAsset: string | null = null;

  if (trades.length > 0) {
    const time = trades.num('event_time');
    const price = trades.num('price');
    const qty = trades.num('qty');
    const quoteQty = trades.num('quote_qty');
    const tFlags = trades.num('quality_flags');
    const ingest = trades.num('ingest_time');
    const source = trades.str('source');
    base = trades.str('base')[0];
    quoteAsset = trades.str('quote')[0];
    for (let i = 0; i < trades.length; i++) {
      const t = time[i];
      if (!(t >= start && t < end)) continue;
      const s = Math.floor((t - start) / SECOND_MS);
      const p = price[i];
      const q = qty[i];
      count[s]++;
      if (t < openT[s]) {
        openT[s] = t;
        open[s] = p;
      }
      if (t >= closeT[s]) {
        closeT[s] = t;
        close[s] = p;
        tradeSource[s] = sourceCode.get(source[i] ?? '') ?? 0;
      }
      if (p > high[s]) high[s] = p;
      if (p < low[s]) low[s] = p;
      vol[s] += q;
      // quote_qty is required in Silver, but a missing one should not poison the second's sum.
      const qq = quoteQty[i];
      quoteVol[s] += Number.isNaN(qq) ? p * q : qq;
      pxQty[s] += p * q;
      const f = tFlags[i];
      if (f > 0) flags[s] |= f;
      if (source[i] === 'rest') flags[s] |= QualityFlag.BACKFILLED;
      if (!(ingest[i] <= ingestMax[s])) ingestMax[s] = ingest[i];
    }
  }

  // Per second, the index of its last quote (by event time, ties in input order); -1 when it has none.
  const lastQuote = new Int32Array(DAY_SECONDS).fill(-1);
  let seedQuote = -1;
  let bidPx: Float64Array | undefined, askPx: Float64Array | undefined, qTime: Float64Array | undefined;
  if (quotes && quotes.length > 0) {
    qTime = quotes.num('event_time');
    bidPx = quotes.num('bid_px');
    askPx = quotes.num('ask_px');
    base ??= quotes.str('base')[0];
    quoteAsset ??= quotes.str('quote')[0];
    for (let i = 0; i < quotes.length; i++) {
      const t = qTime[i];
      if (!(t < end) || Number.isNaN(bidPx[i]) || Number.isNaN(askPx[i])) continue;
      if (t < start) {
        if (seedQuote < 0 || t >= qTime[seedQuote]) seedQuote = i;
        continue;
      }
      const s = Math.floor((t - start) / SECOND_MS);
      const cur = lastQuote[s];
      if (cur < 0 || t >= qTime[cur]) lastQuote[s] = i;
    }
  }

  let n = 0;
  for (let s = 0; s < DAY_SECONDS; s++) if (count[s] > 0 || lastQuote[s] >= 0) n++;

  const col = (fill = NaN) => new Float64Array(n).fill(fill);
  const out = {
    ts: col(),
    open: col(),
    high: col(),
    low: col(),
    close: col(),
    volume: col(0),
    quote_volume: col(0),
    vwap: col(),
    trade_count: col(0),
    bid: col(),
    ask: col(),
    spread: col(),
    ingest_time: col(),
    quality_flags: col(0),
  };
  const source: (string | null)[] = new Array<string | null>(n);
  const quoteSource = quotes && quotes.length > 0 ? quotes.str('source') : undefined;
  const quoteIngest = quotes && quotes.length > 0 ? quotes.num('ingest_time') : undefined;

  let q = seedQuote;
  let r = 0;
  for (let s = 0; s < DAY_SECONDS; s++) {
    if (lastQuote[s] >= 0) q = lastQuote[s];
    if (count[s] === 0 && lastQuote[s] < 0) continue;
    out.ts[r] = start + s * SECOND_MS;
    if (q >= 0) {
      const b = bidPx![q],
        a = askPx![q];
      out.bid[r] = b;
      out.ask[r] = a;
      if (a >= b) out.spread[r] = a - b;
    }
    if (count[s] > 0) {
      out.open[r] = open[s];
      out.high[r] = high[s];
      out.low[r] = low[s];
      out.close[r] = close[s];
      out.volume[r] = vol[s];
      out.quote_volume[r] = quoteVol[s];
      if (vol[s] > 0) out.vwap[r] = pxQty[s] / vol[s];
      out.trade_count[r] = count[s];
      out.quality_flags[r] = flags[s];
      out.ingest_time[r] = ingestMax[s];
      source[r] = SOURCES[tradeSource[s] - 1] ?? null;
    } else {
      out.quality_flags[r] = QualityFlag.NO_TRADES;
      out.ingest_time[r] = quoteIngest![q];
      source[r] = quoteSource![q];
    }
    r++;
  }

  const columns: Record<string, ColumnData> = {
    ...out,
    base: new Array<string | null>(n).fill(base),
    quote: new Array<string | null>(n).fill(quoteAsset),
    source,
  };
  return new Table(spec, n, columns);
}
