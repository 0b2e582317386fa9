import { TICK_MS } from '../../lib/simulator/market/book';
import { MarketFeed, type MarketEvent } from '../../lib/simulator/market/feed';
import { emptyKline, intervalMs, mergeKline, type Kline } from '../../lib/simulator/market/kline';
import { MarketModel } from '../../lib/simulator/market/market-model';
import type { SymbolMarket, Trade } from '../../lib/simulator/market/symbol-market';
import { TradeWalker } from '../../lib/simulator/market/trade-walker';

const START = Date.UTC(2024, 2, 10, 12, 0);
const HOUR = 3_600_000;
const model = (seed = 7, extra: Partial<ConstructorParameters<typeof MarketModel>[0]> = {}) =>
  new MarketModel({ seed, symbols: ['BTCUSDT', 'ETHUSDT'], anchorMs: START, ...extra });

/** Kline of a set of trades, computed the plain way; without trades it is flat at the last price before it. */
function klineOf(m: SymbolMarket, trades: readonly Trade[], openTime: number, len: number): Kline {
  const k = emptyKline(openTime, len);
  const p = m.lastTradeBefore(openTime).price;
  Object.assign(k, { open: p, high: p, low: p, close: p });
  for (const t of trades) {
    const quote = t.price * t.qty;
    mergeKline(k, {
      ...emptyKline(openTime, len),
      open: t.price,
      high: t.price,
      low: t.price,
      close: t.price,
      volume: t.qty,
      quoteVolume: quote,
      tradeCount: 1,
      firstTradeId: t.id,
      lastTradeId: t.id,
      takerBuyVolume: t.buyerMaker ? 0 : t.qty,
      takerBuyQuoteVolume: t.buyerMaker ? 0 : quote,
    });
  }
  return k;
}

describe('market model determinism', () => {
  it('the same seed gives identical trades, klines and books; another seed does not', () => {
    const a = model(7).market('BTCUSDT');
    const b = model(7).market('BTCUSDT');
    const c = model(8).market('BTCUSDT');
    // Query b in another order than a: random access must not depend on history.
    const bBooks = [START + 3 * HOUR, START - HOUR, START + 1234].map((t) => b.bookAt(t));
    expect(b.trades(START - HOUR, START + HOUR)).toEqual(a.trades(START - HOUR, START + HOUR));
    expect([START - HOUR, START + 1234, START + 3 * HOUR].map((t) => a.bookAt(t))).toEqual([bBooks[1], bBooks[2], bBooks[0]]);
    expect(b.kline(900_000, START + 900_000)).toEqual(a.kline(900_000, START + 900_000));
    expect(c.trades(START, START + 60_000)).not.toEqual(a.trades(START, START + 60_000));
  });

  it('symbols have independent markets at their own price levels', () => {
    const m = model();
    const btc = m.market('BTCUSDT').trades(START, START + HOUR);
    const eth = m.market('ETHUSDT').trades(START, START + HOUR);
    expect(btc[0].price / 100).toBeGreaterThan(50_000);
    expect(eth[0].price / 100).toBeLessThan(5_000);
    expect(() => m.market('DOGEUSDT')).toThrow(/not simulated/);
  });
});

describe('market model trades', () => {
  const btc = model().market('BTCUSDT');
  const trades = btc.trades(START - 6 * HOUR, START + 6 * HOUR);

  it('trade ids are consecutive across the anchor and times are ordered', () => {
    expect(trades.filter((t, i) => i > 0 && (t.id !== trades[i - 1].id + 1 || t.time < trades[i - 1].time))).toEqual([]);
    expect(btc.tradeCount(START - 6 * HOUR, START + 6 * HOUR)).toBe(trades.length);
    expect(btc.tradeCount(START + 1234, START + 98_765)).toBe(btc.trades(START + 1234, START + 98_765).length);
  });

  it('arrive at the configured mean rate (default 60 per minute)', () => {
    expect(trades.length / (12 * 60)).toBeGreaterThan(57);
    expect(trades.length / (12 * 60)).toBeLessThan(63);
    const slow = new MarketModel({
      seed: 1,
      symbols: ['BTCUSDT'],
      anchorMs: START,
      instruments: { BTCUSDT: { tradesPerMinute: 6 } },
    });
    expect(slow.market('BTCUSDT').tradeCount(START, START + 12 * HOUR) / (12 * 60)).toBeCloseTo(6, 0);
  });

  it('follow a continuous price path: no jump between consecutive trades above 0.5 %', () => {
    const jumps = trades.filter((t, i) => i > 0 && Math.abs(Math.log(t.price / trades[i - 1].price)) > 0.005);
    expect(jumps).toEqual([]);
    const prices = trades.map((t) => t.price);
    expect(Math.max(...prices)).toBeGreaterThan(Math.min(...prices));
    expect(trades.every((t) => t.qty >= 1 && Number.isInteger(t.qty) && Number.isInteger(t.price))).toBe(true);
  });

  it('both sides take liquidity', () => {
    const buys = trades.filter((t) => !t.buyerMaker).length / trades.length;
    expect(buys).toBeGreaterThan(0.4);
    expect(buys).toBeLessThan(0.6);
  });
});

describe('market model klines', () => {
  const btc = model().market('BTCUSDT');

  it.each(['1m', '5m', '15m', '1h'])('%s klines equal the OHLCV of their trades, before and after the anchor', (interval) => {
    const len = intervalMs(interval)!;
    for (let open = START - 2 * HOUR; open < START + 2 * HOUR; open += len) {
      expect(btc.kline(len, open)).toEqual(klineOf(btc, btc.trades(open, open + len), open, len));
    }
  });

  it('a kline as of a time inside it covers exactly the trades before that time', () => {
    const open = START + 900_000;
    for (const asOf of [open + 1, open + 59_999, open + 60_000, open + 61_234, open + 899_999]) {
      expect(btc.kline(900_000, open, asOf)).toEqual(klineOf(btc, btc.trades(open, asOf), open, 900_000));
    }
  });

  it('a kline without trades is flat at the last price before it, with no trade ids', () => {
    const quiet = new MarketModel({
      seed: 3,
      symbols: ['BTCUSDT'],
      anchorMs: START,
      instruments: { BTCUSDT: { tradesPerMinute: 0.5 } },
    }).market('BTCUSDT');
    let open = START;
    while (quiet.tradeCount(open, open + 60_000) > 0) open += 60_000;
    const k = quiet.kline(60_000, open);
    const before = quiet.lastTradeBefore(open);
    expect(k).toMatchObject({
      open: before.price,
      high: before.price,
      low: before.price,
      close: before.price,
      volume: 0,
      tradeCount: 0,
      firstTradeId: -1,
      lastTradeId: -1,
    });
  });

  it('two days of 1m history before the start come from the cached minute path', () => {
    const m = model(11).market('ETHUSDT');
    const closes: number[] = [];
    for (let open = START - 2 * 86_400_000; open < START; open += 60_000) closes.push(m.kline(60_000, open).close);
    expect(closes).toHaveLength(2880);
    expect(new Set(closes).size).toBeGreaterThan(1000);
  });
});

describe('market model book', () => {
  const btc = model().market('BTCUSDT');

  function checkBook(m: SymbolMarket, time: number): string[] {
    const tick = Math.floor(time / TICK_MS) * TICK_MS;
    const b = m.bookAt(time);
    const last = m.lastTradeBefore(tick);
    const problems: string[] = [];
    if (!(b.bidPx[0] <= last.price && last.price <= b.askPx[0]))
      problems.push(`${tick}: last ${last.price} outside ${b.bidPx[0]}/${b.askPx[0]}`);
    if (!(b.bidPx[0] < b.askPx[0])) problems.push(`${tick}: crossed`);
    for (let i = 1; i < 10; i++) {
      if (!(b.bidPx[i] < b.bidPx[i - 1]) || !(b.askPx[i] > b.askPx[i - 1])) problems.push(`${tick}: level ${i} out of order`);
    }
    if (b.bidPx.length !== 10 || b.askPx.length !== 10 || [...b.bidSz, ...b.askSz].some((s) => !(s >= 1)))
      problems.push(`${tick}: levels or sizes`);
    return problems;
  }

  it('brackets the last trade, is uncrossed and has 10 strictly ordered levels per side', () => {
    const problems: string[] = [];
    for (let tick = START - 60_000; tick < START + 600_000; tick += TICK_MS) problems.push(...checkBook(btc, tick));
    for (let i = 0; i < 2000; i++) problems.push(...checkBook(btc, START - 86_400_000 + i * 86_399));
    expect(problems).toEqual([]);
  });

  it('update ids increase tick by tick', () => {
    const ids = Array.from({ length: 600 }, (_, i) => btc.bookAt(START + i * TICK_MS).updateId);
    expect(ids.filter((id, i) => i > 0 && id <= ids[i - 1])).toEqual([]);
  });

  it('a sequential walk builds the same books as random access', () => {
    const w = new TradeWalker(btc);
    const walked = [];
    const direct = [];
    for (let tick = START + 100; tick <= START + 120_000; tick += TICK_MS) {
      w.walk(tick - TICK_MS, tick);
      walked.push(btc.bookWith(tick, w.last));
      direct.push(btc.bookAt(tick));
    }
    expect(walked).toEqual(direct);
  });
});

describe('market feed', () => {
  const m = model();
  const events: MarketEvent[] = [];
  const feed = new MarketFeed(m, START);
  const demand = new Map([
    ['BTCUSDT', { trades: true, book: true, klines: new Set(['1m', '5m']) }],
    ['ETHUSDT', { trades: true, book: false, klines: new Set<string>() }],
  ]);
  feed.advance(START + 10 * 60_000, demand, (e) => events.push(e));

  it('emits events in time order up to the target', () => {
    expect(events.filter((e, i) => i > 0 && e.time < events[i - 1].time)).toEqual([]);
    expect(feed.cursor).toBe(START + 10 * 60_000);
  });

  it('streams every trade of the range once, per symbol', () => {
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const streamed = events
        .filter((e) => e.type === 'trade' && e.symbol === sym)
        .map((e) => (e.type === 'trade' ? e.trade : null));
      expect(streamed).toEqual(m.market(sym).trades(START, START + 10 * 60_000));
    }
  });

  it('books every 100 ms equal the random-access book; none for symbols nobody asked books for', () => {
    const books = events.filter((e) => e.type === 'book');
    expect(books).toHaveLength(6000);
    expect(books.every((e) => e.symbol === 'BTCUSDT')).toBe(true);
    expect(books.slice(0, 50).map((e) => (e.type === 'book' ? e.book : null))).toEqual(
      books.slice(0, 50).map((e) => m.market('BTCUSDT').bookAt(e.time)),
    );
  });

  it('klines update every 2 s and close at the interval boundary with the full interval', () => {
    const k1 = events.filter((e) => e.type === 'kline' && e.interval === '1m');
    const k5 = events.filter((e) => e.type === 'kline' && e.interval === '5m');
    expect(k1).toHaveLength(300);
    expect(k5).toHaveLength(300);
    const closed = k1.filter((e) => e.type === 'kline' && e.closed);
    expect(closed.map((e) => e.time)).toEqual(Array.from({ length: 10 }, (_, i) => START + (i + 1) * 60_000));
    for (const e of closed) if (e.type === 'kline') expect(e.kline).toEqual(m.market('BTCUSDT').kline(60_000, e.time - 60_000));
    expect(k5.filter((e) => e.type === 'kline' && e.closed).map((e) => e.time)).toEqual([START + 300_000, START + 600_000]);
  });
});
