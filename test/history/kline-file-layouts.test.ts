import { detectLayout, ohlcvRow, parseDownloadName, parseOpenTime } from '../../lib/history/kline-file-layouts';

describe('kline download layouts (Binance US OHLCV, Kraken OHLCVT)', () => {
  it('reads open times as ISO text or epoch seconds, milliseconds or microseconds', () => {
    const t = Date.UTC(2023, 2, 1);
    expect(parseOpenTime('2023-03-01 00:00:00+00:00')).toBe(t);
    expect(parseOpenTime(String(t / 1000))).toBe(t);
    expect(parseOpenTime(String(t))).toBe(t);
    expect(parseOpenTime(String(t * 1000))).toBe(t);
    expect(parseOpenTime('yesterday')).toBeNaN();
  });

  it('tells the layouts apart by their columns', () => {
    expect(detectLayout('1672531200000,1,1,1,1,0,1672531259999,0,0,0,0,0'.split(','))).toBe('binance-archive');
    expect(detectLayout('1672531200,16535.97,16535.97,16522.66,16522.66,0.01429883,2'.split(','))).toBe('kraken-ohlcvt');
    expect(detectLayout('2023-03-01 00:00:00+00:00,23143.82,23152.65,23140.02,23152.65,0.26395'.split(','))).toBe('ohlcv');
  });

  it('maps a Kraken record with its trade count and a close time from the interval; rejects bad ones with a reason', () => {
    expect(
      ohlcvRow('1672531200,16535.97,16536,16522.66,16522.66,0.01429883,2'.split(','), 'kraken-ohlcvt', 60_000, 'BTC', 'USDC', 5),
    ).toMatchObject({
      open_time: 1672531200000,
      close_time: 1672531259999,
      open: 16535.97,
      high: 16536,
      low: 16522.66,
      close: 16522.66,
      volume: 0.01429883,
      trade_count: 2,
      quote_volume: null,
      is_closed: true,
      source: 'archive',
      base: 'BTC',
      quote: 'USDC',
      ingest_time: 5,
    });
    expect(ohlcvRow('1672531200,1,2,3'.split(','), 'kraken-ohlcvt', 60_000, 'BTC', 'USDC', 5)).toBe('expected 7 columns, got 4');
    expect(ohlcvRow('2023-03-01 00:00:00+00:00,1,2,x,1,0'.split(','), 'ohlcv', 60_000, 'BTC', 'USDC', 5)).toBe(
      'low is not a number',
    );
  });

  it('reads symbol and interval from download names', () => {
    expect(parseDownloadName('BTCUSDC_1m_20230301_20230321.csv')).toEqual({ symbol: 'BTCUSDC', interval: '1m' });
    expect(parseDownloadName('BTCUSDC_1m_2023Q1.csv')).toEqual({ symbol: 'BTCUSDC', interval: '1m' });
    expect(parseDownloadName('LINKUSDT-1m-2023-02.csv')).toEqual({});
  });
});
