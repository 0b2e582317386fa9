import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateTable } from '../../lib/schema/validate';
import { buildBars1s } from '../../lib/silver/bars-1s';
import { cleanTrades } from '../../lib/silver/trades';
import { generateBookRows, generateTradeRows } from '../../lib/simulator/offline/bronze-rows';
import { Table } from '../../lib/table/table';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const HOUR = 3_600_000;
const tradesSpec = dataset('silver', 'trades');
const quotesSpec = dataset('silver', 'quotes');
const barsSpec = dataset('silver', 'bars_1s');

function trade(id: number, t: number, price: number, qty: number, over: Partial<Row> = {}): Row {
  return {
    trade_id: id,
    event_time: t,
    price,
    qty,
    quote_qty: price * qty,
    is_buyer_maker: false,
    base: 'BTC',
    quote: 'USDT',
    ingest_time: t + 5,
    source: 'ws',
    quality_flags: 0,
    ...over,
  };
}

function quote(t: number, bid: number, ask: number, over: Partial<Row> = {}): Row {
  return {
    event_time: t,
    update_id: t,
    bid_px: bid,
    bid_sz: 1,
    ask_px: ask,
    ask_sz: 1,
    base: 'BTC',
    quote: 'USDT',
    ingest_time: t + 3,
    source: 'ws',
    quality_flags: 0,
    ...over,
  };
}

const trades = (rows: Row[]) => Table.fromRows(tradesSpec, rows);
const quotes = (rows: Row[]) => Table.fromRows(quotesSpec, rows);

/** Silver quotes from the top level of simulated book snapshots (columns shared, no per-row objects). */
function quotesFromBook(book: Table): Table {
  const c = book.columns;
  return new Table(quotesSpec, book.length, {
    event_time: c.event_time,
    update_id: c.last_update_id,
    bid_px: c.bid_px_1,
    bid_sz: c.bid_sz_1,
    ask_px: c.ask_px_1,
    ask_sz: c.ask_sz_1,
    base: c.base,
    quote: c.quote,
    ingest_time: c.ingest_time,
    source: c.source,
    quality_flags: new Float64Array(book.length),
  });
}

describe('Silver bars_1s', () => {
  it('matches a straightforward per-second recomputation on simulated trades and quotes', () => {
    const from = T0 + 5 * HOUR;
    const to = from + 15 * 60_000;
    const silverTrades = cleanTrades(generateTradeRows('BTCUSDT', from, to), DT, 0).silver;
    const q = quotesFromBook(generateBookRows('BTCUSDT', from, to));
    const bars = buildBars1s(silverTrades, q, DT);
    expect(bars.spec).toBe(barsSpec);
    expect(validateTable(bars).size).toBe(0);

    // Reference: group trades by second with plain objects, quotes by second.
    const ref = new Map<number, { o: number; h: number; l: number; c: number; v: number; pq: number; n: number }>();
    for (const r of silverTrades.rows()) {
      const s = Math.floor((r.event_time as number) / 1000) * 1000;
      const p = r.price as number,
        v = r.qty as number;
      const b = ref.get(s);
      if (!b) ref.set(s, { o: p, h: p, l: p, c: p, v, pq: p * v, n: 1 });
      else Object.assign(b, { h: Math.max(b.h, p), l: Math.min(b.l, p), c: p, v: b.v + v, pq: b.pq + p * v, n: b.n + 1 });
    }
    const quoteSeconds = new Set(Array.from(q.num('event_time'), (t) => Math.floor(t / 1000) * 1000));
    const seconds = [...new Set([...ref.keys(), ...quoteSeconds])].sort((a, b) => a - b);
    expect(Array.from(bars.num('ts'))).toEqual(seconds);

    const rows = bars.rows();
    const qt = q.num('event_time');
    let qi = -1;
    for (const row of rows) {
      const s = row.ts as number;
      while (qi + 1 < q.length && qt[qi + 1] < s + 1000) qi++;
      expect(row.bid).toBe(q.num('bid_px')[qi]);
      expect(row.ask).toBe(q.num('ask_px')[qi]);
      expect(row.spread).toBeCloseTo(q.num('ask_px')[qi] - q.num('bid_px')[qi], 9);
      const b = ref.get(s);
      if (!b) {
        expect(row).toMatchObject({
          open: null,
          high: null,
          low: null,
          close: null,
          vwap: null,
          volume: 0,
          trade_count: 0,
          quality_flags: QualityFlag.NO_TRADES,
        });
        continue;
      }
      expect([row.open, row.high, row.low, row.close, row.trade_count]).toEqual([b.o, b.h, b.l, b.c, b.n]);
      expect(row.volume).toBeCloseTo(b.v, 12);
      expect(row.vwap).toBeCloseTo(b.pq / b.v, 6);
      expect(row.quality_flags).toBe(0);
      expect(row.source).toBe('ws');
    }
    expect(rows.reduce((n, r) => n + (r.trade_count as number), 0)).toBe(silverTrades.length);
  });

  it('builds bars from trades alone, with null bid/ask', () => {
    const silverTrades = cleanTrades(generateTradeRows('ETHUSDT', T0, T0 + HOUR, { seed: 2 }), DT, 0).silver;
    const bars = buildBars1s(silverTrades, undefined, DT);
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.rows().every((r) => r.bid === null && r.ask === null && r.spread === null && (r.trade_count as number) > 0)).toBe(
      true,
    );
    expect(validateTable(bars).size).toBe(0);
  });

  it('computes OHLCV and vwap by event time within a second, and carries the last quote forward', () => {
    const t = [
      trade(1, T0 + 1_200, 101, 2),
      trade(2, T0 + 1_100, 100, 1), // earlier in time though later in the table: it is the open
      trade(3, T0 + 1_900, 99, 1),
      trade(4, T0 + 1_900, 98, 1), // same millisecond: input order decides the close
      trade(5, T0 + 5_000, 105, 0.5, { source: 'rest' }),
    ];
    const q = [
      quote(T0 - 10, 90, 91), // before the day: seeds the carry
      quote(T0 + 1_950, 97, 98.5),
      quote(T0 + 1_999, 97.5, 98), // last at or before the end of second 1
      quote(T0 + 3_000, 99, 99.5),
      quote(T0 + 3_400, 100, 100.5),
      quote(T0 + 86_400_000, 1, 2), // next day: ignored
    ];
    const bars = buildBars1s(trades(t), quotes(q), DT);
    expect(bars.rows()).toEqual([
      {
        ts: T0 + 1_000,
        open: 100,
        high: 101,
        low: 98,
        close: 98,
        volume: 5,
        quote_volume: 100 + 202 + 99 + 98,
        vwap: (100 + 202 + 99 + 98) / 5,
        trade_count: 4,
        bid: 97.5,
        ask: 98,
        spread: 0.5,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: T0 + 1_905,
        source: 'ws',
        quality_flags: 0,
      },
      {
        ts: T0 + 3_000,
        open: null,
        high: null,
        low: null,
        close: null,
        volume: 0,
        quote_volume: 0,
        vwap: null,
        trade_count: 0,
        bid: 100,
        ask: 100.5,
        spread: 0.5,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: T0 + 3_403,
        source: 'ws',
        quality_flags: QualityFlag.NO_TRADES,
      },
      {
        ts: T0 + 5_000,
        open: 105,
        high: 105,
        low: 105,
        close: 105,
        volume: 0.5,
        quote_volume: 52.5,
        vwap: 105,
        trade_count: 1,
        bid: 100,
        ask: 100.5,
        spread: 0.5,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: T0 + 5_005,
        source: 'rest',
        quality_flags: QualityFlag.BACKFILLED,
      },
    ]);
    expect(validateTable(bars).size).toBe(0);
  });

  it('uses the pre-day quote until the first quote of the day, and null before any quote', () => {
    const t = [trade(1, T0 + 500, 100, 1), trade(2, T0 + 2_500, 100, 1)];
    const seeded = buildBars1s(trades(t), quotes([quote(T0 - 5_000, 99, 101), quote(T0 + 2_700, 99.5, 100.5)]), DT);
    expect(seeded.rows().map((r) => [r.bid, r.ask])).toEqual([
      [99, 101],
      [99.5, 100.5],
    ]);
    const unseeded = buildBars1s(trades(t), quotes([quote(T0 + 2_700, 99.5, 100.5)]), DT);
    expect(unseeded.rows().map((r) => [r.bid, r.ask, r.spread])).toEqual([
      [null, null, null],
      [99.5, 100.5, 1],
    ]);
  });

  it('propagates OUTLIER from a trade to its bar, and leaves spread null on a crossed quote', () => {
    const bars = buildBars1s(
      trades([trade(1, T0 + 100, 100, 1), trade(2, T0 + 200, 80, 1, { quality_flags: QualityFlag.OUTLIER })]),
      quotes([quote(T0 + 50, 101, 100)]),
      DT,
    );
    expect(bars.row(0)).toMatchObject({ quality_flags: QualityFlag.OUTLIER, low: 80, bid: 101, ask: 100, spread: null });
    expect(validateTable(bars).size).toBe(0);
  });

  it('ignores rows outside the day and returns an empty table for empty inputs', () => {
    expect(buildBars1s(Table.empty(tradesSpec), undefined, DT).length).toBe(0);
    expect(buildBars1s(Table.empty(tradesSpec), Table.empty(quotesSpec), DT).length).toBe(0);
    const outside = buildBars1s(trades([trade(1, T0 - 1, 100, 1), trade(2, T0 + 86_400_000, 100, 1)]), undefined, DT);
    expect(outside.length).toBe(0);
    expect(outside.spec).toBe(barsSpec);
    const quotesOnly = buildBars1s(Table.empty(tradesSpec), quotes([quote(T0 + 10, 1, 2)]), DT);
    expect(quotesOnly.rows().map((r) => [r.ts, r.trade_count, r.source])).toEqual([[T0, 0, 'ws']]);
  });

  it('cleans and bars a whole day of 2,000,000 trades', () => {
    const n = 2_000_000;
    const num = () => new Float64Array(n);
    const [id, time, price, qty, quoteQty, ingest] = [num(), num(), num(), num(), num(), num()];
    for (let i = 0; i < n; i++) {
      id[i] = 5e9 + i;
      time[i] = T0 + Math.floor((i * 86_400_000) / n);
      price[i] = 60_000 + 100 * Math.sin(i / 5_000);
      qty[i] = 0.001 + (i % 7) * 0.001;
      quoteQty[i] = price[i] * qty[i];
      ingest[i] = time[i] + 3;
    }
    const bronze = new Table(dataset('bronze', 'trades'), n, {
      trade_id: id,
      event_time: time,
      price,
      qty,
      quote_qty: quoteQty,
      is_buyer_maker: new Array<boolean>(n).fill(false),
      base: new Array<string>(n).fill('BTC'),
      quote: new Array<string>(n).fill('USDT'),
      ingest_time: ingest,
      source: new Array<string>(n).fill('ws'),
    });
    // Speed is measured in bench/, not asserted here; this checks a full day goes through in one piece.
    const silver = cleanTrades(bronze, DT, 0).silver;
    const bars = buildBars1s(silver, undefined, DT);
    expect(silver.length).toBe(n);
    expect(bars.length).toBe(86_400);
  });
});
