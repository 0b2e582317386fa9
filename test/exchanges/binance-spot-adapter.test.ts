import { BinanceSpotAdapter } from '../../lib/exchanges/binance/spot-adapter';
import { parseRestKlines, restKlinesUrl } from '../../lib/exchanges/binance/spot-rest';
import {
  BINANCE_SPOT_ENDPOINTS,
  binanceStreamName,
  combinedStreamUrl,
  parseSpotStreamName,
} from '../../lib/exchanges/binance/spot-streams';
import { dataset } from '../../lib/schema/registry';
import { validateRow } from '../../lib/schema/validate';
import { readCryptofeed, readDocExamples, readHftbacktest, readTestdataJson, type CapturedMessage } from './capture-reader';
import { count, kindAndReason, records, runCapture, total, type Tally } from './capture-tally';

/** Every skip names its reason in words. */
const runSpotCapture = (adapter: BinanceSpotAdapter, messages: readonly CapturedMessage[]): Tally =>
  runCapture(adapter, messages, (reason) => expect(reason.length).toBeGreaterThan(10));

const skippedMatching = (t: Tally, word: string) =>
  [...t.skipped].filter(([r]) => r.includes(word)).reduce((n, [, c]) => n + c, 0);

describe('BinanceSpotAdapter on hftbacktest captures (2024-08-08/09)', () => {
  const files = ['spot_btcusdt_20240808.gz', 'spot_btcusdt_20240809.gz', 'spot_ethusdt_20240808.gz'];
  const expected: Record<string, { trades: number; quotes: number; diff: number }> = {
    'spot_btcusdt_20240808.gz': { trades: 9757, quotes: 28040, diff: 3451 },
    'spot_btcusdt_20240809.gz': { trades: 10147, quotes: 45134, diff: 3044 },
    'spot_ethusdt_20240808.gz': { trades: 6106, quotes: 24077, diff: 3434 },
  };
  const tallies = new Map(
    files.map((f) => {
      const capture = readHftbacktest(f);
      return [f, { capture, tally: runSpotCapture(new BinanceSpotAdapter('binance'), capture.messages) }];
    }),
  );

  it.each(files)('%s: every message is mapped, control or skipped with a reason; no errors', (f) => {
    const { capture, tally } = tallies.get(f)!;
    expect(tally.errors).toEqual([]);
    expect(total(tally)).toBe(capture.messages.length);
    expect(count(tally, 'trades')).toBe(expected[f].trades);
    expect(count(tally, 'quotes')).toBe(expected[f].quotes);
    expect(skippedMatching(tally, 'depthUpdate')).toBe(expected[f].diff);
    // The REST depth snapshot recorded at subscription carries no stream name, hence no symbol.
    const snapshots = capture.messages.filter((m) => m.origin === 'rest').length;
    expect(skippedMatching(tally, 'without a stream name')).toBe(snapshots);
  });

  it('trade ids are contiguous within each file and across the BTCUSDT midnight split', () => {
    const ids = (f: string) =>
      tallies
        .get(f)!
        .tally.records.get('trades')!
        .map((r) => r.row.trade_id as number);
    const btc = [...ids('spot_btcusdt_20240808.gz'), ...ids('spot_btcusdt_20240809.gz')];
    for (const seq of [btc, ids('spot_ethusdt_20240808.gz')])
      expect(seq.filter((id, i) => i > 0 && id !== seq[i - 1] + 1)).toEqual([]);
    expect(btc[0]).toBe(3735683259);
  });

  it('maps a trade field by field', () => {
    const r = tallies.get('spot_btcusdt_20240808.gz')!.tally.records.get('trades')![0];
    expect(r).toEqual({
      dataset: 'trades',
      symbol: 'BTCUSDT',
      stream: 'btcusdt@trade',
      row: {
        trade_id: 3735683259,
        event_time: 1723161255342,
        price: 61837.63,
        qty: 0.02,
        quote_qty: 61837.63 * 0.02,
        is_buyer_maker: true,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: 1723161254087,
        source: 'ws',
      },
    });
  });

  it('maps a bookTicker field by field, stamping the receive time as event time', () => {
    const r = tallies.get('spot_btcusdt_20240808.gz')!.tally.records.get('quotes')![0];
    expect(r).toEqual({
      dataset: 'quotes',
      symbol: 'BTCUSDT',
      stream: 'btcusdt@bookTicker',
      row: {
        event_time: 1723161254087,
        update_id: 50093239212,
        bid_px: 61837.63,
        bid_sz: 3.78826,
        ask_px: 61837.64,
        ask_sz: 1.54698,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: 1723161254087,
        source: 'ws',
      },
    });
  });

  it('every mapped row passes the registry validator', () => {
    const problems: string[] = [];
    for (const { tally } of tallies.values()) {
      for (const [ds, rs] of tally.records) for (const r of rs) problems.push(validateRow(dataset('bronze', ds), r.row) ?? '');
    }
    expect(problems.length).toBeGreaterThan(100_000);
    expect(problems.filter((p) => p !== '')).toEqual([]);
  });
});

describe('BinanceSpotAdapter on cryptofeed captures (2021)', () => {
  it('BINANCE-ee25be.0: klines mapped, aggTrade/diff depth/REST snapshots skipped, no errors', () => {
    const capture = readCryptofeed('BINANCE-ee25be.0');
    const t = runSpotCapture(new BinanceSpotAdapter('binance'), capture.messages);
    expect(capture.skippedLines).toBe(1);
    expect(t.errors).toEqual([]);
    expect(total(t)).toBe(capture.messages.length);
    expect(count(t, 'klines')).toBe(118);
    expect(skippedMatching(t, 'aggTrade')).toBe(1910);
    expect(skippedMatching(t, 'depthUpdate')).toBe(2688);
    expect(skippedMatching(t, 'without a stream name')).toBe(3);

    const btc = t.records.get('klines')!.filter((r) => r.symbol === 'BTCUSDT');
    expect(btc).toHaveLength(44);
    const closed = btc.filter((r) => r.row.is_closed);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toEqual({
      dataset: 'klines',
      symbol: 'BTCUSDT',
      timeframe: '1m',
      stream: 'btcusdt@kline_1m',
      row: {
        open_time: Date.UTC(2021, 3, 4, 20, 3),
        close_time: Date.UTC(2021, 3, 4, 20, 3, 59, 999),
        open: 57994.6,
        high: 58018.03,
        low: 57974.41,
        close: 57999.99,
        volume: 23.067122,
        quote_volume: 1337913.58654308,
        trade_count: 1020,
        taker_buy_volume: 11.413347,
        taker_buy_quote_volume: 661954.86510045,
        is_closed: true,
        event_time: 1617566640068,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: 1617566640087,
        source: 'ws',
      },
    });
  });

  it('BINANCE.ws.1.0: bookTicker and klines of four symbols, no errors', () => {
    const capture = readCryptofeed('BINANCE.ws.1.0');
    const t = runSpotCapture(new BinanceSpotAdapter('binance'), capture.messages);
    expect(t.errors).toEqual([]);
    expect(total(t)).toBe(capture.messages.length);
    expect(count(t, 'quotes')).toBe(84);
    expect(count(t, 'klines')).toBe(2);
    const nkn = t.records.get('klines')!.find((r) => r.symbol === 'NKNUSDT')!;
    expect(nkn.row).toMatchObject({
      open_time: 1633998480000,
      close_time: 1633998539999,
      open: 0.3527,
      high: 0.3528,
      low: 0.3522,
      close: 0.3528,
      volume: 25877,
      quote_volume: 9116.046,
      trade_count: 30,
      taker_buy_volume: 58,
      taker_buy_quote_volume: 20.4624,
      is_closed: false,
      event_time: 1633998523963,
      base: 'NKN',
      quote: 'USDT',
      source: 'ws',
    });
    const quote = t.records.get('quotes')!.find((r) => r.row.update_id === 499869768)!;
    expect(quote).toMatchObject({ symbol: 'NKNUSDT', stream: 'nknusdt@bookTicker' });
    expect(quote.row).toMatchObject({ bid_px: 0.3521, bid_sz: 672, ask_px: 0.3526, ask_sz: 3199, event_time: 1633998513377 });
  });

  it('BINANCE_US.ws.3.0: Binance US speaks the same format', () => {
    const capture = readCryptofeed('BINANCE_US.ws.3.0');
    const adapter = new BinanceSpotAdapter('binanceus');
    expect(adapter.exchange).toBe('binanceus');
    const t = runSpotCapture(adapter, capture.messages);
    expect(t.errors).toEqual([]);
    expect(total(t)).toBe(capture.messages.length);
    expect(count(t, 'quotes')).toBe(458);
    expect(skippedMatching(t, 'aggTrade')).toBe(18);
    const btc = t.records.get('quotes')!.find((r) => r.row.update_id === 372026697)!;
    expect(btc.row).toMatchObject({
      bid_px: 60457.34,
      bid_sz: 0.099164,
      ask_px: 60464.64,
      ask_sz: 0.025128,
      base: 'BTC',
      quote: 'USDT',
    });
    expect(t.records.get('quotes')!.find((r) => r.symbol === 'ETHBUSD')?.row).toMatchObject({ base: 'ETH', quote: 'BUSD' });
  });
});

describe('BinanceSpotAdapter on the Binance doc examples', () => {
  const adapter = new BinanceSpotAdapter('binance');
  const examples = readDocExamples().map(({ file, raw }) => ({ file, raw, o: adapter.parse(raw, 1_700_000_000_000) }));
  // Request/response examples come in pairs under one title; the later file (the response) wins.
  const outcomes = new Map(examples.map((e) => [e.file.replace(/^spot_ws_\d+_/, '').replace(/\.json$/, ''), e]));

  it('maps, controls or skips every example; none is an error', () => {
    expect(examples).toHaveLength(25);
    for (const { file, o } of examples) expect([file, o.kind]).not.toEqual([file, 'error']);
  });

  it('serverShutdown raw and combined are control events', () => {
    const shutdowns = examples.filter((e) => e.file.includes('server_shutdown')).map((e) => e.o);
    expect(shutdowns).toHaveLength(2);
    for (const o of shutdowns)
      expect(o).toEqual({ kind: 'control', what: 'serverShutdown', detail: { eventTime: 1770123456789 } });
  });

  it('subscribe/list/property responses are control; requests and other streams are skipped', () => {
    const kinds = Object.fromEntries([...outcomes].map(([n, { o }]) => [n, o.kind === 'control' ? `control:${o.what}` : o.kind]));
    expect(kinds).toMatchObject({
      subscribe_to_a_stream: 'control:response',
      listing_subscriptions: 'control:response',
      retrieving_properties: 'control:response',
      reference_price_streams: 'skipped',
      aggregate_trade_streams: 'skipped',
      block_trade_streams: 'skipped',
      individual_symbol_mini_ticker_stream: 'skipped',
      individual_symbol_ticker_streams: 'skipped',
      average_price: 'skipped',
      diff_depth_stream: 'skipped',
      partial_book_depth_streams: 'skipped',
      trade_streams: 'records',
      kline_candlestick_streams_for_utc: 'records',
      individual_symbol_book_ticker_streams: 'records',
    });
    expect(adapter.parse('{"error":{"code":2,"msg":"Invalid request"},"id":7}', 1)).toMatchObject({
      kind: 'control',
      what: 'error',
    });
  });

  it('the doc kline and trade map field by field', () => {
    expect(records(outcomes.get('kline_candlestick_streams_for_utc')!.o)[0].row).toEqual({
      open_time: 1672515780000,
      close_time: 1672515839999,
      open: 0.001,
      high: 0.0025,
      low: 0.0015,
      close: 0.002,
      volume: 1000,
      quote_volume: 1,
      trade_count: 100,
      taker_buy_volume: 500,
      taker_buy_quote_volume: 0.5,
      is_closed: false,
      event_time: 1672515782136,
      base: 'BNB',
      quote: 'BTC',
      ingest_time: 1_700_000_000_000,
      source: 'ws',
    });
    expect(records(outcomes.get('trade_streams')!.o)[0].row).toMatchObject({
      trade_id: 12345,
      event_time: 1672515782136,
      price: 0.001,
      qty: 100,
      is_buyer_maker: true,
    });
  });

  it('a partial-depth payload in its combined envelope becomes a book_top10 row; missing levels are null', () => {
    const raw = outcomes.get('partial_book_depth_streams')!.raw;
    const [r] = records(adapter.parse(`{"stream":"bnbbtc@depth10@100ms","data":${raw}}`, 1_700_000_000_123));
    expect(r).toMatchObject({ dataset: 'book_top10', symbol: 'BNBBTC', stream: 'bnbbtc@depth10@100ms' });
    expect(r.row).toMatchObject({
      event_time: 1_700_000_000_123,
      last_update_id: 160,
      bid_px_1: 0.0024,
      bid_sz_1: 10,
      ask_px_1: 0.0026,
      ask_sz_1: 100,
    });
    for (let i = 2; i <= 10; i++)
      expect([r.row[`bid_px_${i}`], r.row[`bid_sz_${i}`], r.row[`ask_px_${i}`], r.row[`ask_sz_${i}`]]).toEqual([
        null,
        null,
        null,
        null,
      ]);
    // The same raw payload is mapped when the caller names its stream (a /ws/<stream> connection).
    expect(records(adapter.parse(raw, 5, 'bnbbtc@depth5'))[0].row.event_time).toBe(5);
  });
});

describe('BinanceSpotAdapter partial depth from a recorded snapshot', () => {
  it('depth20 keeps the top 10 levels of each side in order', () => {
    const snapshot = readHftbacktest('spot_btcusdt_20240808.gz').messages.find((m) => m.origin === 'rest')!;
    const data = JSON.parse(snapshot.raw) as { lastUpdateId: number; bids: string[][]; asks: string[][] };
    const payload = JSON.stringify({
      lastUpdateId: data.lastUpdateId,
      bids: data.bids.slice(0, 20),
      asks: data.asks.slice(0, 20),
    });
    const [r] = records(new BinanceSpotAdapter('binance').parse(`{"stream":"btcusdt@depth20@100ms","data":${payload}}`, 42));
    expect(r.row.last_update_id).toBe(50093239218);
    for (let i = 0; i < 10; i++) {
      expect(r.row[`bid_px_${i + 1}`]).toBe(Number(data.bids[i][0]));
      expect(r.row[`ask_sz_${i + 1}`]).toBe(Number(data.asks[i][1]));
    }
    expect(r.row.bid_px_1 as number).toBeLessThan(r.row.ask_px_1 as number);
  });
});

describe('BinanceSpotAdapter on malformed input', () => {
  const adapter = new BinanceSpotAdapter('binance');
  const trade =
    '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000",' +
    '"q":"0.02000000","T":1723161255342,"m":true,"M":true}}';
  const kline =
    '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1617566640068,"s":"BTCUSDT","k":{"t":1617566580000,' +
    '"T":1617566639999,"s":"BTCUSDT","i":"1m","f":745522651,"L":745523670,"o":"57994.60000000","c":"57999.99000000",' +
    '"h":"58018.03000000","l":"57974.41000000","v":"23.06712200","n":1020,"x":true,"q":"1337913.58654308","V":"11.41334700",' +
    '"Q":"661954.86510045","B":"0"}}}';
  const book = '{"stream":"btcusdt@depth10@100ms","data":{"lastUpdateId":5,"bids":[["100.0","1"]],"asks":[["101.0","2"]]}}';
  const ticker = '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}';

  const reasonOf = (raw: string) => kindAndReason(adapter.parse(raw, 1));

  it('never throws on any truncation of a real message, and never maps one', () => {
    for (const raw of [trade, kline, book, ticker]) {
      expect(adapter.parse(raw, 1).kind).toBe('records');
      for (let n = 0; n < raw.length; n++) {
        const o = adapter.parse(raw.slice(0, n), 1);
        expect(o.kind).toBe('error');
      }
    }
  });

  it('explains missing, non-numeric and invalid fields', () => {
    expect(reasonOf('')).toBe('error: not JSON');
    expect(reasonOf('[1,2]')).toBe('error: not a JSON object');
    expect(reasonOf('null')).toBe('error: not a JSON object');
    expect(reasonOf('{"stream":"btcusdt@trade","data":7}')).toBe('error: payload is not a JSON object');
    expect(reasonOf(trade.replace('"p":"61837.63000000",', ''))).toBe('error: trade: field p is missing or not a decimal');
    expect(reasonOf(trade.replace('"61837.63000000"', '"abc"'))).toBe('error: trade: field p is missing or not a decimal');
    expect(reasonOf(trade.replace('"61837.63000000"', '""'))).toBe('error: trade: field p is missing or not a decimal');
    expect(reasonOf(trade.replace('"61837.63000000"', '"-1.5"'))).toBe('error: trade: price is not > 0');
    expect(reasonOf(trade.replace('"61837.63000000"', '"0"'))).toBe('error: trade: price is not > 0');
    expect(reasonOf(trade.replace('"t":3735683259', '"t":"3735683259"'))).toBe(
      'error: trade: field t is missing or not an integer',
    );
    expect(reasonOf(trade.replace('"m":true', '"m":"true"'))).toBe('error: trade: field m is missing or not a boolean');
    expect(reasonOf(trade.replace('"s":"BTCUSDT",', ''))).toBe('error: trade: field s is missing or not a symbol');
    expect(reasonOf(kline.replace(',"k":{', ',"kk":{'))).toBe('error: kline: field k is missing');
    expect(reasonOf(kline.replace('"n":1020', '"n":-3'))).toBe('error: kline: trade_count is below 0');
    expect(reasonOf(kline.replace('"v":"23.06712200"', '"v":"-1"'))).toBe('error: kline: volume is below 0');
    expect(reasonOf(kline.replace('"i":"1m"', '"i":"3m"'))).toBe('skipped: kline interval 3m is not a stored timeframe');
    expect(reasonOf(book.replace('["100.0","1"]', '["100.0"]'))).toBe(
      'error: depth: bids[0] is not a [price, size] pair of decimals',
    );
    expect(reasonOf(book.replace('[["100.0","1"]]', '["x"]'))).toBe(
      'error: depth: bids[0] is not a [price, size] pair of decimals',
    );
    expect(reasonOf(book.replace('"101.0"', '"-101.0"'))).toBe('error: depth: ask_px_1 is not > 0');
    expect(reasonOf(book.replace('"bids":', '"bidz":'))).toBe('error: depth: bids or asks is not an array');
    expect(reasonOf(book.replace('"lastUpdateId":5', '"lastUpdateId":-5'))).toBe('error: depth: last_update_id is below 0');
    expect(reasonOf(book.replace('btcusdt@depth10@100ms', 'btcusdt@trade'))).toMatch(
      /^skipped: depth snapshot on stream btcusdt@trade/,
    );
    expect(reasonOf(ticker.replace('"25.35190000"', '"-25"'))).toBe('error: bookTicker: bid_px is not > 0');
    expect(reasonOf('{"e":"somethingNew","E":1}')).toBe('skipped: event somethingNew is not collected');
    expect(reasonOf('{"hello":"world"}')).toBe('error: unrecognized message');
  });
});

describe('Binance spot stream names, URLs and endpoints', () => {
  it('builds stream names for every collected dataset', () => {
    expect(binanceStreamName({ symbol: 'BTCUSDT', dataset: 'klines', timeframe: '1m' })).toBe('btcusdt@kline_1m');
    expect(binanceStreamName({ symbol: 'BTCUSDT', dataset: 'book_top10' })).toBe('btcusdt@depth10@100ms');
    expect(binanceStreamName({ symbol: 'BTCUSDT', dataset: 'trades' })).toBe('btcusdt@trade');
    expect(binanceStreamName({ symbol: 'BTCUSDT', dataset: 'quotes' })).toBe('btcusdt@bookTicker');
    expect(() => binanceStreamName({ symbol: 'BTCUSDT', dataset: 'funding' })).toThrow(/no stream/);
    expect(() => binanceStreamName({ symbol: 'BTCUSDT', dataset: 'klines' })).toThrow(/timeframe/);
  });

  it('builds combined-stream URLs on the published hosts', () => {
    expect(combinedStreamUrl(BINANCE_SPOT_ENDPOINTS.binance.ws, ['btcusdt@trade', 'btcusdt@kline_1m'])).toBe(
      'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@kline_1m',
    );
    expect(BINANCE_SPOT_ENDPOINTS.binanceus).toEqual({ ws: 'wss://stream.binance.us:9443', rest: 'https://api.binance.us' });
    expect(BINANCE_SPOT_ENDPOINTS.binance.rest).toBe('https://api.binance.com');
  });

  it('parses stream names', () => {
    expect(parseSpotStreamName('btcusdt@depth10@100ms')).toEqual({
      name: 'btcusdt@depth10@100ms',
      symbol: 'BTCUSDT',
      channel: 'partialDepth',
      levels: 10,
      updateMs: 100,
    });
    expect(parseSpotStreamName('btcusdt@depth5')).toMatchObject({ channel: 'partialDepth', levels: 5, updateMs: 1000 });
    expect(parseSpotStreamName('btcusdt@depth@100ms')).toMatchObject({ channel: 'diffDepth' });
    expect(parseSpotStreamName('ethusdt@kline_15m')).toMatchObject({ channel: 'kline', symbol: 'ETHUSDT', interval: '15m' });
    expect(parseSpotStreamName('btcusdt@bookTicker')).toMatchObject({ channel: 'bookTicker' });
    expect(parseSpotStreamName('btcusdt@aggTrade')).toMatchObject({ channel: 'other' });
    expect(parseSpotStreamName('btcusdt')).toBeNull();
    expect(parseSpotStreamName('btcusdt@trade@100ms')).toBeNull();
    expect(parseSpotStreamName('btcusdt@depth10@5ms')).toBeNull();
  });
});

describe('Binance spot REST klines', () => {
  it('maps the documented example; the candle is closed only once the server clock has passed its close', () => {
    const body = readTestdataJson('binance_docs/spot_rest_examples/rest_11_kline_candlestick_data.json');
    const closed = parseRestKlines(body, 'BNBBTC', '1m', 1_700_000_000_000, 1499644800000);
    expect(closed.errors).toEqual([]);
    expect(closed.records).toEqual([
      {
        dataset: 'klines',
        symbol: 'BNBBTC',
        timeframe: '1m',
        stream: 'rest:bnbbtc@kline_1m',
        row: {
          open_time: 1499040000000,
          close_time: 1499644799999,
          open: 0.0163479,
          high: 0.8,
          low: 0.015758,
          close: 0.015771,
          volume: 148976.11427815,
          quote_volume: 2434.19055334,
          trade_count: 308,
          taker_buy_volume: 1756.87402397,
          taker_buy_quote_volume: 28.46694368,
          is_closed: true,
          event_time: null,
          base: 'BNB',
          quote: 'BTC',
          ingest_time: 1_700_000_000_000,
          source: 'rest',
        },
      },
    ]);
    expect(parseRestKlines(body, 'BNBBTC', '1m', 0, 1499644799999).records[0].row.is_closed).toBe(false);
  });

  it('reports bad entries and error bodies without throwing', () => {
    expect(parseRestKlines({ code: -1121, msg: 'Invalid symbol.' }, 'X', '1m', 0, 0)).toEqual({
      records: [],
      errors: ['exchange error -1121: Invalid symbol.'],
    });
    expect(parseRestKlines('nope', 'X', '1m', 0, 0).errors).toEqual(['klines response is not an array']);
    const good = [1499040000000, '1', '2', '0.5', '1.5', '10', 1499040059999, '15', 3, '4', '6', '0'];
    const res = parseRestKlines(
      [good, [1, 2], [...good.slice(0, 1), '-1', ...good.slice(2)], [...good.slice(0, 6), 'x', ...good.slice(7)]],
      'BTCUSDT',
      '1m',
      0,
      0,
    );
    expect(res.records).toHaveLength(1);
    expect(res.errors).toEqual([
      'kline 1: not an array of 11+ fields',
      'kline 2: open=-1 is not > 0',
      'kline 3: close_time is null',
    ]);
  });

  it('builds the request URL', () => {
    expect(
      restKlinesUrl('https://api.binance.com', { symbol: 'btcusdt', interval: '1m', startTime: 1, endTime: 2, limit: 1000 }),
    ).toBe('https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1&endTime=2&limit=1000');
    expect(restKlinesUrl('http://127.0.0.1:9/', { symbol: 'ETHUSDT', interval: '5m' })).toBe(
      'http://127.0.0.1:9/api/v3/klines?symbol=ETHUSDT&interval=5m',
    );
  });
});
