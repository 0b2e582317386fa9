import { splitSymbol } from '../../lib/exchanges/symbols';

describe('symbol normalization', () => {
  it.each([
    ['BTCUSDT', 'BTC', 'USDT'],
    ['ETHBTC', 'ETH', 'BTC'],
    ['BTCFDUSD', 'BTC', 'FDUSD'],
    ['BTCUSD', 'BTC', 'USD'],
    ['BTCUSDC', 'BTC', 'USDC'],
    ['USDTUSD', 'USDT', 'USD'],
    ['BTCTUSD', 'BTC', 'TUSD'],
    ['XBT/USD', 'BTC', 'USD'],
    ['BTC/USD', 'BTC', 'USD'],
    ['XDG/EUR', 'DOGE', 'EUR'],
    ['btcusdt', 'BTC', 'USDT'],
    ['LINKUSDT', 'LINK', 'USDT'],
  ])('%s → %s / %s', (symbol, base, quote) => {
    expect(splitSymbol(symbol)).toEqual({ base, quote });
  });
});
