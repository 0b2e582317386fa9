import { timeframeMs } from '../schema/columns';
import { QualityFlag } from '../schema/quality-flags';
import type { Row } from '../schema/types';
import type { Table } from '../table/table';

/**
 * Higher-timeframe bars built strictly from Silver 1m bars (docs/silver.md#rules-per-dataset and
 * #parity-with-the-exchanges-bars). Buckets align to UTC midnight; a bar built from fewer 1m bars than its interval
 * holds is flagged PARTIAL. Open, high, low and close come from the bucket's 1m bars with volume, as the exchange
 * builds its own bars from the interval's trades: a minute without trades shows the previous close (or, FILLED, an
 * interpolation), a price nobody traded in the bucket. Only a bucket without any trade takes them from its quiet bars.
 */

const SOURCE_ORDER = ['ws', 'archive', 'rest', 'filled'];

/** Rows (Silver klines columns plus `minutes`) for each bucket of `tf` that has at least one 1m bar. */
export function deriveBars(oneMinute: Table, tf: string): Row[] {
  const interval = timeframeMs(tf);
  const expected = interval / 60_000;
  const t = oneMinute.num('open_time');
  const [o, h, l, c, v] = ['open', 'high', 'low', 'close', 'volume'].map((k) => oneMinute.num(k));
  const [qv, n, tb, tbq] = ['quote_volume', 'trade_count', 'taker_buy_volume', 'taker_buy_quote_volume'].map((k) =>
    oneMinute.num(k),
  );
  const flags = oneMinute.num('quality_flags');
  const src = oneMinute.str('source');
  const ingest = oneMinute.num('ingest_time');
  const closed = oneMinute.bool('is_closed');
  const base = oneMinute.str('base');
  const quote = oneMinute.str('quote');

  const out: Row[] = [];
  let i = 0;
  while (i < oneMinute.length) {
    const bucket = Math.floor(t[i] / interval) * interval;
    let j = i;
    const bar = {
      open: o[i],
      high: h[i],
      low: l[i],
      close: c[i],
      volume: 0,
      qv: 0,
      n: 0,
      tb: 0,
      tbq: 0,
      qvNull: true,
      nNull: true,
      tbNull: true,
      tbqNull: true,
      flags: 0,
      ingest: NaN,
      closed: true,
      sources: new Map<string, number>(),
    };
    let traded = v[i] > 0;
    for (; j < oneMinute.length && t[j] < bucket + interval; j++) {
      if (v[j] > 0 && !traded) {
        // The bucket's first minute with trades: the quiet minutes before it set no price of the bar.
        traded = true;
        bar.open = o[j];
        bar.high = h[j];
        bar.low = l[j];
      }
      if (v[j] > 0 || !traded) {
        if (h[j] > bar.high) bar.high = h[j];
        if (l[j] < bar.low) bar.low = l[j];
        bar.close = c[j];
      }
      bar.volume += v[j];
      if (!Number.isNaN(qv[j])) {
        bar.qv += qv[j];
        bar.qvNull = false;
      }
      if (!Number.isNaN(n[j])) {
        bar.n += n[j];
        bar.nNull = false;
      }
      if (!Number.isNaN(tb[j])) {
        bar.tb += tb[j];
        bar.tbNull = false;
      }
      if (!Number.isNaN(tbq[j])) {
        bar.tbq += tbq[j];
        bar.tbqNull = false;
      }
      bar.flags |= flags[j];
      if (!(ingest[j] <= bar.ingest)) bar.ingest = Number.isNaN(ingest[j]) ? bar.ingest : ingest[j];
      if (!closed[j]) bar.closed = false;
      const s = src[j] ?? 'ws';
      bar.sources.set(s, (bar.sources.get(s) ?? 0) + 1);
    }
    const minutes = j - i;
    if (minutes < expected) bar.flags |= QualityFlag.PARTIAL;
    const source = [...bar.sources.entries()].sort(
      (a, b) => b[1] - a[1] || SOURCE_ORDER.indexOf(a[0]) - SOURCE_ORDER.indexOf(b[0]),
    )[0][0];
    out.push({
      open_time: bucket,
      close_time: bucket + interval - 1,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      quote_volume: bar.qvNull ? null : bar.qv,
      trade_count: bar.nNull ? null : bar.n,
      taker_buy_volume: bar.tbNull ? null : bar.tb,
      taker_buy_quote_volume: bar.tbqNull ? null : bar.tbq,
      is_closed: bar.closed && minutes === expected,
      event_time: null,
      base: base[i],
      quote: quote[i],
      ingest_time: Number.isNaN(bar.ingest) ? null : bar.ingest,
      source,
      quality_flags: bar.flags,
      minutes,
    });
    i = j;
  }
  return out;
}
