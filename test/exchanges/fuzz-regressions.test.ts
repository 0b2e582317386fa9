import { BinanceFuturesAdapter } from '../../lib/exchanges/binance/futures-adapter';
import { parseOpenInterest } from '../../lib/exchanges/binance/futures-rest';
import { BinanceSpotAdapter } from '../../lib/exchanges/binance/spot-adapter';
import { parseHistoricalTrades, parseRestKlines } from '../../lib/exchanges/binance/spot-rest';
import { KrakenAdapter } from '../../lib/exchanges/kraken/adapter';
import { parseRfc3339Ms } from '../../lib/exchanges/kraken/fields';
import { isFileableSymbol } from '../../lib/exchanges/symbols';
import type { ParseOutcome } from '../../lib/exchanges/types';

/** One named case per adapter bug the fuzzing (adapter-fuzz.test.ts) found, reduced to the message that showed it. */

const RECV = Date.UTC(2024, 7, 8, 23, 55);
function reasonOf(o: ParseOutcome): string {
  if (o.kind === 'error' || o.kind === 'skipped') return `${o.kind}: ${o.reason}`;
  return o.kind === 'control' ? `control: ${o.what}` : o.kind;
}

const TICKER = '{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}';
const KLINE =
  '{"e":"kline","E":1633998250000,"s":"OMGBUSD","k":{"t":1633998240000,"T":1633998299999,"s":"OMGBUSD","i":"1m",' +
  '"f":439572,"L":439577,"o":"13.72120000","c":"13.80480000","h":"13.80480000","l":"13.72120000","v":"183.49000000","n":6,' +
  '"x":false,"q":"2519.85628300","V":"125.78000000","Q":"1726.63719800","B":"0"}}';
const TRADE =
  '{"e":"trade","E":1723161255030,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.00010000",' +
  '"T":1723161255029,"m":true,"M":true}';
const FUTURES_DEPTH =
  '{"e":"depthUpdate","E":1723161254000,"T":1723161253998,"s":"BTCUSDT","U":1,"u":3,"pu":0,' +
  '"b":[["61800.0","1"]],"a":[["61801.0","2"]]}';
const env = (stream: string, data: string) => `{"stream":"${stream}","data":${data}}`;
const OHLC = (symbol: string) =>
  `{"channel":"ohlc","type":"update","timestamp":"2023-01-01T00:15:59.500Z","data":[{"symbol":"${symbol}",` +
  '"open":16514.99,"high":16514.99,"low":16514.99,"close":16514.99,"trades":1,"volume":0.00020675,"vwap":16514.99,' +
  '"interval_begin":"2023-01-01T00:15:00.000Z","interval":1,"timestamp":"2023-01-01T00:16:00.000Z"}]}';
const krakenTrade = (side: string, timestamp: string) =>
  '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD",' +
  `"side":"${side}","price":1,"qty":1,"trade_id":1,"timestamp":"${timestamp}"}]}`;

describe('fixed: integers beyond 2^53 and times beyond a Date were stored (Parquet int64 wrapped 1e21 to 3875820019684212700)', () => {
  const spot = new BinanceSpotAdapter('binance');
  it('rejects such ids and times in stream payloads', () => {
    expect(reasonOf(spot.parse(env('btcusdt@bookTicker', TICKER.replace('50093239212', '50093239212e6')), RECV))).toBe(
      'error: bookTicker: field u is missing or not an integer',
    );
    expect(reasonOf(spot.parse(env('omgbusd@kline_1m', KLINE.replace('"E":1633998250000', '"E":1e21')), RECV))).toBe(
      'error: kline: field E is missing or not an epoch-ms time',
    );
    const futuresKline = env('omgbusd@kline_1m', KLINE.replace('"T":1633998299999', '"T":16339982999990000'));
    expect(reasonOf(new BinanceFuturesAdapter().parse(futuresKline, RECV))).toBe(
      'error: kline: field T is missing or not an epoch-ms time',
    );
    expect(reasonOf(spot.parse(env('btcusdt@trade', TRADE.replace('"T":1723161255029', '"T":8640000000000001')), RECV))).toBe(
      'error: trade: field T is missing or not an epoch-ms time',
    );
    // The latest time a Date holds is still a time.
    expect(spot.parse(env('btcusdt@trade', TRADE.replace('"T":1723161255029', '"T":8640000000000000')), RECV).kind).toBe(
      'records',
    );
  });

  it('rejects them in REST bodies too', () => {
    const kline = [1e21, '1', '1', '1', '1', '1', 1499040059999, '1', 1, '1', '1', '0'];
    expect(parseRestKlines([kline], 'BTCUSDT', '1m', RECV, RECV).errors).toEqual(['kline 0: open_time is null']);
    expect(
      parseHistoricalTrades([{ id: 1, price: '1', qty: '1', time: 1e21, isBuyerMaker: true }], 'BTCUSDT', RECV).errors,
    ).toEqual(['trade 0 (id 1): field time is missing or not an epoch-ms time']);
    expect(parseOpenInterest({ openInterest: '1', symbol: 'BTCUSDT', time: 2 ** 60 }, RECV)).toEqual({
      kind: 'error',
      reason: 'openInterest: field time is missing or not an epoch-ms time',
    });
  });
});

describe('fixed: rejection reasons echoed the message (a 2,000-character channel name; every bad price a reason of its own)', () => {
  it('words a value the registry refuses without the value', () => {
    const spot = new BinanceSpotAdapter('binance');
    const priced = (p: string) => env('btcusdt@trade', TRADE.replace('"61837.63000000"', `"${p}"`));
    const reasons = ['-1.5', '-2.5', '0'].map((p) => reasonOf(spot.parse(priced(p), RECV)));
    expect(new Set(reasons)).toEqual(new Set(['error: trade: price is not > 0']));
    const liq = '{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"SIDEWAYS","q":"1","p":"1","T":1}}';
    expect(reasonOf(new BinanceFuturesAdapter().parse(liq, RECV))).toBe('error: forceOrder: side is not one of BUY|SELL');
    expect(reasonOf(new KrakenAdapter().parse(krakenTrade('up', '2023-09-25T07:49:37Z'), RECV))).toBe(
      'error: trade: field side is not buy or sell',
    );
  });

  it('names what the peer sent only while it is short, printable and one of the first few of its kind', () => {
    const k = new KrakenAdapter();
    expect(reasonOf(k.parse(`{"channel":"${'x'.repeat(2000)}"}`, RECV))).toBe('skipped: channel (unreadable) is not collected');
    expect(reasonOf(k.parse('{"channel":"ticker"}', RECV))).toBe('skipped: channel ticker is not collected');
    const f = new BinanceFuturesAdapter();
    const events = Array.from({ length: 18 }, (_, i) => reasonOf(f.parse(`{"e":"event${i}","E":1}`, RECV)));
    expect(events.slice(0, 16)).toEqual(Array.from({ length: 16 }, (_, i) => `skipped: event event${i} is not collected`));
    expect(events.slice(16)).toEqual(['skipped: event (other) is not collected', 'skipped: event (other) is not collected']);
    // One already named keeps its name.
    expect(reasonOf(f.parse('{"e":"event3","E":1}', RECV))).toBe('skipped: event event3 is not collected');
  });

  it('counts a Kraken ack with an empty or odd method under a bounded name', () => {
    const ack = (method: string) =>
      `{"method":"subscribe","result":{"channel":"book"},"success":true,"method":${JSON.stringify(method)}}`;
    expect(reasonOf(new KrakenAdapter().parse(ack(''), RECV))).toBe('control: (unreadable)');
    expect(reasonOf(new KrakenAdapter().parse(ack('sub\u0000scribe'), RECV))).toBe('control: (unreadable)');
  });
});

describe('fixed: a frame whose stream name disagreed with its payload was filed under that name (a phantom stream, later "silent")', () => {
  const spot = new BinanceSpotAdapter('binance');
  it.each([
    ['an empty stream name', env('', TICKER)],
    ['another symbol', env('ethusdt@trade', TRADE)],
    ['another channel', env('btcusdt@bookTicker', TRADE)],
    ['another interval', env('omgbusd@kline_5m', KLINE)],
    ['a garbled name', env('btcusdt@tr\\u0000de', TRADE)],
  ])('%s → error', (_what, raw) => {
    expect(reasonOf(spot.parse(raw, RECV))).toMatch(
      /^error: \w+: the stream name does not name this payload's symbol and \w+ stream$/,
    );
  });

  it('a USD-M depth10 frame of one symbol on another symbol’s stream → error', () => {
    expect(reasonOf(new BinanceFuturesAdapter().parse(env('ethusdt@depth10@100ms', FUTURES_DEPTH), RECV))).toBe(
      "error: depth: the stream name does not name this payload's symbol and partialDepth stream",
    );
  });

  it('the matching stream, or none, still files the record under it', () => {
    const out = spot.parse(env('btcusdt@trade', TRADE), RECV);
    expect(out.kind === 'records' && out.records[0].stream).toBe('btcusdt@trade');
    const raw = spot.parse(TRADE, RECV);
    expect(raw.kind === 'records' && raw.records[0].stream).toBe('btcusdt@trade');
  });
});

describe('fixed: any text was a symbol (":TC/USDC" broke stream names; control characters would have become lake partitions)', () => {
  it('rejects symbols that cannot be filed', () => {
    expect(reasonOf(new KrakenAdapter().parse(OHLC(':TC/USDC'), RECV))).toBe(
      'error: ohlc: field symbol is missing or not a symbol',
    );
    expect(reasonOf(new KrakenAdapter().parse(OHLC('BTCUSDC'), RECV))).toBe(
      'error: ohlc: field symbol is missing or not a symbol',
    );
    const spot = new BinanceSpotAdapter('binance');
    for (const bad of ['BTC\\u0000USDT', 'BTC/USDT']) {
      expect(reasonOf(spot.parse(TRADE.replace('"s":"BTCUSDT"', `"s":"${bad}"`), RECV))).toBe(
        'error: trade: field s is missing or not a symbol',
      );
    }
    const depth = env('bt c@depth10@100ms', '{"lastUpdateId":5,"bids":[["100.0","1"]],"asks":[["101.0","2"]]}');
    expect(reasonOf(spot.parse(depth, RECV))).toBe('error: depth: the stream name does not name a symbol');
  });

  it('accepts the symbols exchanges list', () => {
    for (const s of ['BTCUSDT', '1000SHIBUSDT', 'BTCUSDT_250328', '币安人生USDT']) expect(isFileableSymbol(s)).toBe(true);
    for (const s of ['BTC/USD', 'ETH2.S/ETH', '1INCH/EUR']) expect(isFileableSymbol(s, true)).toBe(true);
    for (const s of ['', 'BTC USDT', 'BTC/USDT', '../x', 'BTC"USDT', 'x'.repeat(41)]) expect(isFileableSymbol(s)).toBe(false);
    for (const s of ['BTCUSD', ':TC/USDC', 'BTC/USD/EUR', 'BTC/', '/USD']) expect(isFileableSymbol(s, true)).toBe(false);
  });
});

describe('fixed: Kraken RFC 3339 times that do not exist rolled over into real ones, and years 0000-0099 read as 19xx', () => {
  it.each([
    ['2023-02-30T00:00:00Z', NaN],
    ['2023-02-29T00:00:00Z', NaN],
    ['1900-02-29T00:00:00Z', NaN],
    ['2023-01-01T25:61:61Z', NaN],
    ['2023-01-01T24:00:00Z', NaN],
    ['2023-01-01T00:00:00+99:99', NaN],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['0023-01-01T00:00:00Z', Date.parse('0023-01-01T00:00:00Z')],
    ['2023-10-04T18:26:01.806315597+02:00', Date.UTC(2023, 9, 4, 16, 26, 1, 806)],
  ])('%s', (text, ms) => {
    expect(parseRfc3339Ms(text)).toBe(ms);
  });

  it('a trade stamped on a day that does not exist is an error, not a row', () => {
    expect(reasonOf(new KrakenAdapter().parse(krakenTrade('buy', '2023-02-30T07:49:37Z'), RECV))).toBe(
      'error: trade: field timestamp is missing or not an RFC 3339 time',
    );
  });
});
