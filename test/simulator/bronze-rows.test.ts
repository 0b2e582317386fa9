import { MarketModel } from '../../lib/simulator/market/market-model';
import { generateBookRows, generateTradeRows } from '../../lib/simulator/offline/bronze-rows';
import { columnNames, dataset } from '../../lib/schema/registry';
import { validateTable } from '../../lib/schema/validate';

const FROM = Date.UTC(2024, 5, 1);
const HOUR = 3_600_000;

describe('offline Bronze generators', () => {
  const model = new MarketModel({ seed: 5, symbols: ['BTCUSDT'], anchorMs: FROM });
  const market = model.market('BTCUSDT');

  it('trades: valid registry rows, one per model trade, ids consecutive', () => {
    const t = generateTradeRows('BTCUSDT', FROM, FROM + HOUR, { model, ingestLagMs: 3 });
    expect(t.spec).toBe(dataset('bronze', 'trades'));
    expect(validateTable(t).size).toBe(0);
    const trades = market.trades(FROM, FROM + HOUR);
    expect(t.length).toBe(trades.length);
    const id = t.num('trade_id');
    expect(id[0]).toBe(trades[0].id);
    expect(id.filter((v, i) => i > 0 && v !== id[i - 1] + 1).length).toBe(0);
    const k = 1234;
    expect(t.row(k)).toEqual({
      trade_id: trades[k].id,
      event_time: trades[k].time,
      price: trades[k].price / 100,
      qty: trades[k].qty / 1e5,
      quote_qty: (trades[k].price / 100) * (trades[k].qty / 1e5),
      is_buyer_maker: trades[k].buyerMaker,
      base: 'BTC',
      quote: 'USDT',
      ingest_time: trades[k].time + 3,
      source: 'ws',
    });
  });

  it('books: one valid row per 100 ms with the model book', () => {
    const b = generateBookRows('BTCUSDT', FROM + 50, FROM + 600_000, { model });
    expect(b.length).toBe(5999);
    expect(validateTable(b).size).toBe(0);
    expect(Object.keys(b.row(0))).toEqual(columnNames(dataset('bronze', 'book_top10')));
    const row = b.row(4321);
    const book = market.bookAt(row.event_time as number);
    expect(row).toMatchObject({
      event_time: FROM + 100 + 4321 * 100,
      last_update_id: book.updateId,
      bid_px_1: book.bidPx[0] / 100,
      ask_sz_10: book.askSz[9] / 1e5,
      base: 'BTC',
      quote: 'USDT',
      source: 'ws',
    });
  });

  it('a fresh model per seed is deterministic', () => {
    const a = generateTradeRows('ETHUSDT', FROM, FROM + 600_000, { seed: 9 });
    const b = generateTradeRows('ETHUSDT', FROM, FROM + 600_000, { seed: 9 });
    expect(a.rows()).toEqual(b.rows());
    expect(generateTradeRows('ETHUSDT', FROM, FROM + 600_000, { seed: 10 }).num('price')).not.toEqual(a.num('price'));
  });

  it('bench sizes: 2,000,000 trades and a day of 100 ms books', () => {
    const trades = generateTradeRows('BTCUSDT', FROM, FROM + 24 * HOUR, { instrument: { tradesPerMinute: 1400 } });
    expect(trades.length).toBeGreaterThan(1_950_000);
    const books = generateBookRows('BTCUSDT', FROM, FROM + 24 * HOUR);
    expect(books.length).toBe(864_000);
    expect(books.num('event_time')[863_999]).toBe(FROM + 24 * HOUR - 100);
  });
});
