import { historicalTradesUrl, HISTORICAL_TRADES_MAX_LIMIT, parseHistoricalTrades } from '../../lib/exchanges/binance';

/** Binance spot `/api/v3/historicalTrades` → Bronze trades (the simulator round trip is in test/simulator/server.test.ts). */
describe('historicalTrades URL and parser', () => {
  it('builds the request URL', () => {
    expect(
      historicalTradesUrl('https://api.binance.com/', { symbol: 'btcusdt', fromId: 28457, limit: HISTORICAL_TRADES_MAX_LIMIT }),
    ).toBe('https://api.binance.com/api/v3/historicalTrades?symbol=BTCUSDT&fromId=28457&limit=1000');
  });

  it("maps Binance's documented entry as the WebSocket trade stream does, with source rest", () => {
    const body = [
      {
        id: 28457,
        price: '4.00000100',
        qty: '12.00000000',
        quoteQty: '48.000012',
        time: 1499865549590,
        isBuyerMaker: true,
        isBestMatch: true,
      },
    ];
    expect(parseHistoricalTrades(body, 'btcusdt', 1_700_000_000_000)).toEqual({
      errors: [],
      records: [
        {
          dataset: 'trades',
          symbol: 'BTCUSDT',
          stream: 'rest:btcusdt@trade',
          row: {
            trade_id: 28457,
            event_time: 1499865549590,
            price: 4.000001,
            qty: 12,
            quote_qty: 4.000001 * 12,
            is_buyer_maker: true,
            base: 'BTC',
            quote: 'USDT',
            ingest_time: 1_700_000_000_000,
            source: 'rest',
          },
        },
      ],
    });
  });

  it('rejects bad entries with their reasons and keeps the good ones; never throws', () => {
    const good = (id: number) => ({
      id,
      price: '61000.10',
      qty: '0.5',
      quoteQty: '30500.05',
      time: 1714996800000 + id,
      isBuyerMaker: false,
      isBestMatch: true,
    });
    const body = [
      good(1),
      { ...good(2), price: '-3' },
      { ...good(3), price: 'abc' },
      { ...good(4), id: undefined },
      { ...good(5), id: 5.5 },
      { ...good(6), isBuyerMaker: 'yes' },
      null,
      [7],
      good(8),
    ];
    const r = parseHistoricalTrades(body, 'BTCUSDT', 0);
    expect(r.records.map((x) => x.row.trade_id)).toEqual([1, 8]);
    expect(r.errors).toEqual([
      'trade 1 (id 2): price=-3 is not > 0',
      'trade 2 (id 3): field price is missing or not a decimal',
      'trade 3: field id is missing or not an integer',
      'trade 4 (id 5.5): field id is missing or not an integer',
      'trade 5 (id 6): field isBuyerMaker is missing or not a boolean',
      'trade 6: not an object',
      'trade 7: not an object',
    ]);
    expect(parseHistoricalTrades({ code: -1121, msg: 'Invalid symbol.' }, 'BTCUSDT', 0)).toEqual({
      records: [],
      errors: ['exchange error -1121: Invalid symbol.'],
    });
    expect(parseHistoricalTrades('oops', 'BTCUSDT', 0)).toEqual({
      records: [],
      errors: ['historicalTrades response is not an array'],
    });
  });
});
