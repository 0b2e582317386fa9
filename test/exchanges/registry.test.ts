import { BINANCE_MAX_STREAMS_PER_CONNECTION as BINANCE_MAX_STREAMS } from '../../lib/exchanges/binance';
import { groupSymbols } from '../../lib/exchanges/profile';
import { sourceCollectorOptions, sourceProfile } from '../../lib/exchanges/registry';

describe('collector sources', () => {
  const symbols = Array.from({ length: 200 }, (_, i) => `S${i}USDT`);

  it('splits Binance spot at 1,024 streams per connection without splitting a symbol', () => {
    const conns = sourceProfile('binance').connections('wss://stream.binance.com:9443', symbols);
    expect(conns.length).toBe(2);
    for (const c of conns) {
      expect(c.streams.length).toBeLessThanOrEqual(BINANCE_MAX_STREAMS);
      expect(c.url).toBe(`wss://stream.binance.com:9443/stream?streams=${c.streams.map((s) => s.name).join('/')}`);
    }
    expect(conns.flatMap((c) => c.streams)).toHaveLength(200 * 6);
    const owner = new Map<string, number>();
    conns.forEach((c, i) =>
      c.streams.forEach(({ name, symbol }) => {
        const sym = name.slice(0, name.indexOf('@'));
        expect(sym).toBe(symbol.toLowerCase());
        expect(owner.get(sym) ?? i).toBe(i);
        owner.set(sym, i);
      }),
    );
  });

  it('groups by whole symbols', () => {
    expect(groupSymbols(['A', 'B', 'C'], (s) => [s, s], 3)).toEqual([
      ['A', 'A'],
      ['B', 'B'],
      ['C', 'C'],
    ]);
    expect(groupSymbols(['A', 'B', 'C'], (s) => [s], 2)).toEqual([['A', 'B'], ['C']]);
  });

  it('routes Binance futures streams to /public and /market and polls open interest', () => {
    const o = sourceCollectorOptions(
      sourceProfile('binance-futures', { openInterestPollMs: 60_000 }),
      ['BTCUSDT'],
      'wss://fstream.binance.com',
      'https://fapi.binance.com',
    );
    expect(o.connections.map((c) => c.url.split('?')[0])).toEqual([
      'wss://fstream.binance.com/public/stream',
      'wss://fstream.binance.com/market/stream',
    ]);
    expect(o.connections[1].streams).toEqual(
      expect.arrayContaining([
        { name: 'btcusdt@markPrice@1s', symbol: 'BTCUSDT', dataset: 'funding' },
        { name: 'btcusdt@forceOrder', symbol: 'BTCUSDT', dataset: 'liquidations' },
        { name: 'btcusdt@trade', symbol: 'BTCUSDT', dataset: 'trades' },
      ]),
    );
    expect(o.polls).toEqual([
      expect.objectContaining({
        name: 'open_interest',
        intervalMs: 60_000,
        targets: [
          {
            symbol: 'BTCUSDT',
            url: 'https://fapi.binance.com/fapi/v1/openInterest?symbol=BTCUSDT',
            stream: 'rest:btcusdt@openInterest',
          },
        ],
      }),
    ]);
  });

  it('subscribes Kraken by message, all at once, and resyncs one book', () => {
    const o = sourceCollectorOptions(sourceProfile('kraken'), ['BTC/USD', 'ETH/USD']);
    expect(o.connections).toHaveLength(1);
    const [c] = o.connections;
    expect(c.url).toBe('wss://ws.kraken.com/v2');
    expect(c.subscribeSpacingMs).toBe(0);
    expect(c.streams).toContainEqual({ name: 'book-10:BTC/USD', symbol: 'BTC/USD', dataset: 'book_top10' });
    expect(c.subscribeMessages!.map((m) => JSON.parse(m).params.channel)).toEqual(['ohlc', 'ohlc', 'ohlc', 'book', 'trade']);
    expect(o.resyncMessages!('BTC/USD', 'book-10:BTC/USD').map((m) => JSON.parse(m).method)).toEqual([
      'unsubscribe',
      'subscribe',
    ]);
  });
});
