import { BinanceFuturesAdapter, FUTURES_SKIP_REASONS } from '../../lib/exchanges/binance/futures-adapter';
import {
  futuresRestKlinesUrl,
  openInterestUrl,
  parseOpenInterest,
  parseOpenInterestText,
} from '../../lib/exchanges/binance/futures-rest';
import {
  BINANCE_FUTURES_REST_BASE,
  BINANCE_FUTURES_WS_BASE,
  BINANCE_MAX_STREAMS_PER_CONNECTION,
  futuresConnections,
  futuresStreamName,
  futuresStreamRequests,
  futuresStreamRoute,
  futuresStreamUrls,
  parseFuturesStreamName,
  routedStreamUrl,
} from '../../lib/exchanges/binance/futures-streams';
import { parseRestKlines } from '../../lib/exchanges/binance/spot-rest';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { dataset } from '../../lib/schema/registry';
import { validateRow } from '../../lib/schema/validate';
import { readCryptofeed, readDocExamples, readHftbacktest } from './capture-reader';
import { count, kindAndReason, records, runCapture, total, type Tally } from './capture-tally';

const data = (raw: string) => JSON.parse(raw) as { stream: string; data: Record<string, unknown> };

/** Every mapped row fits its Bronze dataset and names the stream it came from (problems collected: one expect per capture). */
function expectValidRows(t: Tally): void {
  const problems: string[] = [];
  for (const [name, list] of t.records) {
    const spec = dataset('bronze', name);
    for (const r of list) {
      const p =
        validateRow(spec, r.row) ??
        (r.row.source !== 'ws'
          ? 'source'
          : typeof r.row.ingest_time !== 'number'
            ? 'ingest_time'
            : /^[a-z0-9]+@/.test(r.stream)
              ? null
              : 'stream');
      if (p && problems.length < 5) problems.push(`${name}: ${p}`);
    }
  }
  expect(problems).toEqual([]);
}

/** Rows whose listed columns differ from `expected(i)`, as compact descriptions (at most 5). */
function mismatches(rows: readonly NormalizedRecord[], expected: (i: number) => Record<string, unknown>): string[] {
  const out: string[] = [];
  rows.forEach((r, i) => {
    const want = expected(i);
    for (const [k, v] of Object.entries(want)) {
      const got = k in r.row ? r.row[k] : (r as unknown as Record<string, unknown>)[k];
      if (got !== v && out.length < 5) out.push(`row ${i} ${k}: ${String(got)} != ${String(v)}`);
    }
  });
  return out;
}

describe('BinanceFuturesAdapter on the hftbacktest USD-M capture (2024-08-08)', () => {
  const capture = readHftbacktest('usdm_btcusdt_20240808.gz');
  const tally = runCapture(new BinanceFuturesAdapter(), capture.messages);
  const wsMessages = capture.messages.filter((m) => m.origin === 'ws');

  it('every message is mapped or skipped with a reason; no errors', () => {
    expect(tally.errors).toEqual([]);
    expect(total(tally)).toBe(capture.messages.length);
    expect(count(tally, 'trades')).toBe(21_313);
    expect(count(tally, 'quotes')).toBe(66_089);
    expect(Object.fromEntries(tally.skipped)).toEqual({
      [FUTURES_SKIP_REASONS.diffDepth]: 6551,
      'REST depth snapshot: book_top10 comes from the depth10@100ms stream': 1,
    });
    expect(tally.control.size).toBe(0);
    expectValidRows(tally);
  });

  it('trades and quotes equal their raw fields; trade ids are contiguous', () => {
    const trades = wsMessages
      .filter((m) => m.raw.startsWith('{"stream":"btcusdt@trade"'))
      .map((m) => ({ m, d: data(m.raw).data }));
    const rows = tally.records.get('trades')!;
    expect(rows).toHaveLength(trades.length);
    expect(trades.filter(({ d }) => d.X !== 'MARKET')).toEqual([]);
    expect(
      mismatches(rows, (i) => {
        const { m, d } = trades[i];
        return {
          symbol: 'BTCUSDT',
          stream: 'btcusdt@trade',
          trade_id: d.t,
          event_time: d.T,
          price: Number(d.p),
          qty: Number(d.q),
          is_buyer_maker: d.m,
          base: 'BTC',
          quote: 'USDT',
          ingest_time: m.receiveMs,
        };
      }),
    ).toEqual([]);
    expect(
      rows.filter((r, i) => Math.abs((r.row.quote_qty as number) - Number(trades[i].d.p) * Number(trades[i].d.q)) > 1e-6),
    ).toEqual([]);
    const ids = rows.map((r) => r.row.trade_id as number);
    expect(ids.filter((id, i) => i > 0 && id !== ids[i - 1] + 1)).toEqual([]);

    const quotes = wsMessages.filter((m) => m.raw.startsWith('{"stream":"btcusdt@bookTicker"')).map((m) => data(m.raw).data);
    const qrows = tally.records.get('quotes')!;
    expect(qrows).toHaveLength(quotes.length);
    expect(
      mismatches(qrows, (i) => {
        const d = quotes[i];
        return {
          stream: 'btcusdt@bookTicker',
          event_time: d.E,
          update_id: d.u,
          bid_px: Number(d.b),
          bid_sz: Number(d.B),
          ask_px: Number(d.a),
          ask_sz: Number(d.A),
        };
      }),
    ).toEqual([]);
  });

  it('a recorded depth payload on a depth10@100ms stream becomes book_top10 with E and u', () => {
    const first = wsMessages.find((m) => m.raw.startsWith('{"stream":"btcusdt@depth@0ms"'))!;
    const d = data(first.raw).data as { E: number; u: number; b: string[][]; a: string[][] };
    const raw = first.raw.replace('btcusdt@depth@0ms', 'btcusdt@depth10@100ms');
    const [r] = records(new BinanceFuturesAdapter().parse(raw, first.receiveMs));
    expect(r).toMatchObject({ dataset: 'book_top10', symbol: 'BTCUSDT', stream: 'btcusdt@depth10@100ms' });
    expect(r.row).toMatchObject({ event_time: d.E, last_update_id: d.u, ingest_time: first.receiveMs });
    for (let i = 0; i < 10; i++) {
      expect([r.row[`bid_px_${i + 1}`], r.row[`bid_sz_${i + 1}`]]).toEqual(d.b[i].map(Number));
      expect([r.row[`ask_px_${i + 1}`], r.row[`ask_sz_${i + 1}`]]).toEqual(d.a[i].map(Number));
    }
    expect(validateRow(dataset('bronze', 'book_top10'), r.row)).toBeNull();
    // The same payload on its own diff-depth stream is not a book snapshot.
    expect(new BinanceFuturesAdapter().parse(first.raw, 1)).toEqual({ kind: 'skipped', reason: FUTURES_SKIP_REASONS.diffDepth });
  });
});

describe('BinanceFuturesAdapter on cryptofeed USD-M captures (2021)', () => {
  const expected: Record<string, { quotes: number; klines: number; diff: number; aggTrade: number }> = {
    'BINANCE_FUTURES.ws.1.0': { quotes: 613, klines: 67, diff: 764, aggTrade: 91 },
    'BINANCE_FUTURES.ws.5.0': { quotes: 1959, klines: 99, diff: 1016, aggTrade: 185 },
  };

  it.each(Object.keys(expected))('%s: bookTicker and klines mapped, diff depth and aggTrade skipped, no errors', (file) => {
    const capture = readCryptofeed(file);
    const t = runCapture(new BinanceFuturesAdapter(), capture.messages);
    const e = expected[file];
    expect(t.errors).toEqual([]);
    expect(total(t)).toBe(capture.messages.length);
    expect(count(t, 'quotes')).toBe(e.quotes);
    expect(count(t, 'klines')).toBe(e.klines);
    expect(Object.fromEntries(t.skipped)).toEqual({
      [FUTURES_SKIP_REASONS.diffDepth]: e.diff,
      [FUTURES_SKIP_REASONS.aggTrade]: e.aggTrade,
    });
    expectValidRows(t);
    // Futures bookTicker carries E: it, not the receive time, is the event time.
    const raw = capture.messages.find((m) => m.raw.includes('@bookTicker'))!;
    const [q] = records(new BinanceFuturesAdapter().parse(raw.raw, raw.receiveMs));
    expect(q.row.event_time).toBe(data(raw.raw).data.E);
    expect(new Set(t.records.get('klines')!.map((r) => r.timeframe))).toEqual(new Set(['1m']));
    for (const r of t.records.get('klines')!) expect(r.stream).toBe(`${r.symbol.toLowerCase()}@kline_1m`);
  });
});

describe('BinanceFuturesAdapter on the USD-M doc examples', () => {
  const examples = readDocExamples('binance_docs/um_futures_ws_examples_docs_derived_nautilus');
  const adapter = new BinanceFuturesAdapter();
  const outcome = (file: string) => adapter.parse(examples.find((e) => e.file === file)!.raw, 42);

  it('maps or skips every example with a reason; none is an error', () => {
    const kinds = Object.fromEntries(
      examples.map((e) => {
        const o = adapter.parse(e.raw, 42);
        return [
          e.file,
          o.kind === 'records'
            ? o.records[0].dataset
            : `${o.kind}: ${o.kind === 'skipped' || o.kind === 'error' ? o.reason : ''}`,
        ];
      }),
    );
    expect(kinds).toEqual({
      'agg_trade_stream.json': `skipped: ${FUTURES_SKIP_REASONS.aggTrade}`,
      'book_ticker_stream.json': 'quotes',
      'depth_update_stream.json': `skipped: ${FUTURES_SKIP_REASONS.depthWithoutStream}`,
      'kline_stream_closed.json': 'klines',
      'kline_stream_open.json': 'klines',
      'liquidation_stream.json': 'liquidations',
      'mark_price_stream.json': 'funding',
      'ticker_stream.json': 'skipped: event 24hrTicker is not collected',
      'trade_stream.json': 'trades',
    });
    const t = runCapture(
      adapter,
      examples.map((e) => ({ raw: e.raw, receiveMs: 42 })),
    );
    expectValidRows(t);
  });

  it('markPriceUpdate → funding, field by field', () => {
    const [r] = records(outcome('mark_price_stream.json'));
    expect(r).toMatchObject({ dataset: 'funding', symbol: 'BTCUSDT', stream: 'btcusdt@markPrice@1s' });
    expect(r.row).toEqual({
      event_time: 1562305380000,
      mark_price: 11794.15,
      index_price: 11784.62659091,
      funding_rate: 0.00038167,
      next_funding_time: 1562306400000,
      base: 'BTC',
      quote: 'USDT',
      ingest_time: 42,
      source: 'ws',
    });
  });

  it('forceOrder → liquidations, event time from the order (o.T)', () => {
    const [r] = records(outcome('liquidation_stream.json'));
    expect(r).toMatchObject({ dataset: 'liquidations', symbol: 'BTCUSDT', stream: 'btcusdt@forceOrder' });
    expect(r.row).toEqual({
      event_time: 1568014460893,
      side: 'SELL',
      price: 9910,
      qty: 0.014,
      avg_price: 9910.12345678,
      status: 'FILLED',
      filled_qty: 0.014,
      base: 'BTC',
      quote: 'USDT',
      ingest_time: 42,
      source: 'ws',
    });
    const raw = examples.find((e) => e.file === 'liquidation_stream.json')!.raw;
    const later = raw.replace('"T":1568014460893', '"T":1568014460000');
    expect(records(adapter.parse(later, 1))[0].row.event_time).toBe(1568014460000);
    expect(records(adapter.parse(raw.replace(',"T":1568014460893', ''), 1))[0].row.event_time).toBe(1568014460893);
    expect(records(adapter.parse(raw.replace('"ap":"9910.12345678"', '"ap":"0"'), 1))[0].row.avg_price).toBeNull();
  });

  it('bookTicker, trade and kline field by field', () => {
    expect(records(outcome('book_ticker_stream.json'))[0].row).toMatchObject({
      event_time: 1568014460893,
      update_id: 400900217,
      bid_px: 25.3519,
      bid_sz: 31.21,
      ask_px: 25.3652,
      ask_sz: 40.66,
    });
    expect(records(outcome('trade_stream.json'))[0].row).toMatchObject({
      trade_id: 5933014,
      event_time: 123456785,
      price: 0.001,
      qty: 100,
      is_buyer_maker: true,
    });
    const [k] = records(outcome('kline_stream_closed.json'));
    expect(k).toMatchObject({ timeframe: '1m', stream: 'btcusdt@kline_1m' });
    expect(k.row).toMatchObject({
      open_time: 1638747660000,
      close_time: 1638747719999,
      open: 0.001,
      high: 0.0025,
      low: 0.001,
      close: 0.002,
      trade_count: 100,
      is_closed: true,
    });
    expect(records(outcome('kline_stream_open.json'))[0].row.is_closed).toBe(false);
  });

  it('a depth payload with a stream hint: partial depth mapped, diff depth skipped', () => {
    const raw = examples.find((e) => e.file === 'depth_update_stream.json')!.raw;
    const [r] = records(adapter.parse(raw, 7, 'btcusdt@depth10@100ms'));
    expect(r.row).toMatchObject({
      event_time: 123456789,
      last_update_id: 160,
      bid_px_1: 0.0024,
      bid_sz_1: 10,
      ask_px_1: 0.0026,
      ask_sz_1: 100,
      bid_px_2: null,
      ask_sz_10: null,
    });
    expect(adapter.parse(raw, 7, 'btcusdt@depth@100ms')).toEqual({ kind: 'skipped', reason: FUTURES_SKIP_REASONS.diffDepth });
  });
});

describe('BinanceFuturesAdapter special cases and malformed input', () => {
  const adapter = new BinanceFuturesAdapter();
  const trade =
    '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,' +
    '"p":"61800.30","q":"0.006","X":"MARKET","m":false}}';
  const mark =
    '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000",' +
    '"i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}';
  const liq =
    '{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT",' +
    '"f":"IOC","q":"0.014","p":"9910","ap":"9910.1","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}}';
  const depth =
    '{"stream":"btcusdt@depth10@100ms","data":{"e":"depthUpdate","E":5,"T":4,"s":"BTCUSDT","U":1,"u":3,"pu":0,"b":[["100.0",' +
    '"1"]],"a":[["101.0","2"]]}}';
  const reasonOf = (raw: string) => kindAndReason(adapter.parse(raw, 1));

  it('skips insurance-fund and ADL trades with a reason', () => {
    expect(reasonOf(trade)).toBe('records');
    expect(reasonOf(trade.replace('"X":"MARKET"', '"X":"INSURANCE_FUND"'))).toBe(
      `skipped: ${FUTURES_SKIP_REASONS.nonMarketTrade}`,
    );
    expect(reasonOf(trade.replace('"X":"MARKET"', '"X":"ADL"'))).toBe(`skipped: ${FUTURES_SKIP_REASONS.nonMarketTrade}`);
  });

  it('subscribe responses and errors are control; a delivery contract mark price is skipped', () => {
    expect(adapter.parse('{"result":null,"id":1}', 1)).toMatchObject({ kind: 'control', what: 'response' });
    expect(adapter.parse('{"error":{"code":2,"msg":"Invalid request"},"id":1}', 1)).toMatchObject({
      kind: 'control',
      what: 'error',
    });
    expect(reasonOf(mark.replace('"r":"0.00038167","T":1562306400000', '"r":"","T":0'))).toBe(
      `skipped: ${FUTURES_SKIP_REASONS.noFunding}`,
    );
  });

  it('never throws on any truncation of a real message, and never maps one', () => {
    for (const raw of [trade, mark, liq, depth]) {
      expect(adapter.parse(raw, 1).kind).toBe('records');
      for (let n = 0; n < raw.length; n++) expect(adapter.parse(raw.slice(0, n), 1).kind).toBe('error');
    }
  });

  it('explains missing, non-numeric and invalid fields', () => {
    expect(reasonOf('')).toBe('error: not JSON');
    expect(reasonOf('[1]')).toBe('error: not a JSON object');
    expect(reasonOf('{"stream":"btcusdt@trade","data":7}')).toBe('error: payload is not a JSON object');
    expect(reasonOf(trade.replace('"p":"61800.30",', ''))).toBe('error: trade: field p is missing or not a decimal');
    expect(reasonOf(trade.replace('"t":5266583935', '"t":"x"'))).toBe('error: trade: field t is missing or not an integer');
    expect(reasonOf(mark.replace('"r":"0.00038167"', '"r":"abc"'))).toBe(
      'error: markPriceUpdate: field r is missing or not a decimal',
    );
    expect(reasonOf(mark.replace('"r":"0.00038167"', '"r":"3"'))).toBe('error: markPriceUpdate: funding_rate is above 1');
    expect(reasonOf(mark.replace('"p":"11794.15000000"', '"p":"-1"'))).toBe('error: markPriceUpdate: mark_price is not > 0');
    expect(reasonOf(mark.replace('"E":1562305380000,', ''))).toBe(
      'error: markPriceUpdate: field E is missing or not an epoch-ms time',
    );
    expect(reasonOf(liq.replace(',"o":{', ',"x":{'))).toBe('error: forceOrder: field o is missing');
    expect(reasonOf(liq.replace('"S":"SELL"', '"S":"SIDEWAYS"'))).toBe('error: forceOrder: side is not one of BUY|SELL');
    expect(reasonOf(liq.replace('"q":"0.014"', '"q":"-1"'))).toBe('error: forceOrder: qty is below 0');
    expect(reasonOf(depth.replace('"u":3', '"u":"3"'))).toBe('error: depth: field u is missing or not an integer');
    expect(reasonOf(depth.replace('"b":', '"bb":'))).toBe('error: depth: b or a is not an array');
    expect(reasonOf(depth.replace('["100.0","1"]', '["100.0"]'))).toBe(
      'error: depth: b[0] is not a [price, size] pair of decimals',
    );
    expect(reasonOf(depth.replace('btcusdt@depth10@100ms', 'btcusdt@trade'))).toBe(
      'skipped: depthUpdate on stream btcusdt@trade, which is not a depth stream',
    );
    expect(reasonOf('{"e":"somethingNew","E":1}')).toBe('skipped: event somethingNew is not collected');
    expect(reasonOf('{"hello":"world"}')).toBe('error: unrecognized message');
  });
});

describe('Binance USD-M stream names, routes and connection URLs', () => {
  it('names a stream per dataset', () => {
    const name = (dataset: Parameters<typeof futuresStreamName>[0]['dataset'], timeframe?: string) =>
      futuresStreamName({ symbol: 'BTCUSDT', dataset, timeframe });
    expect(['1m', '5m', '15m'].map((tf) => name('klines', tf))).toEqual([
      'btcusdt@kline_1m',
      'btcusdt@kline_5m',
      'btcusdt@kline_15m',
    ]);
    expect(name('book_top10')).toBe('btcusdt@depth10@100ms');
    expect(name('trades')).toBe('btcusdt@trade');
    expect(name('quotes')).toBe('btcusdt@bookTicker');
    expect(name('funding')).toBe('btcusdt@markPrice@1s');
    expect(name('liquidations')).toBe('btcusdt@forceOrder');
    expect(() => name('open_interest')).toThrow(/no stream/);
    expect(() => name('klines')).toThrow(/timeframe/);
  });

  it('requests every WebSocket dataset except open interest', () => {
    const reqs = futuresStreamRequests(['BTCUSDT']);
    expect(reqs.map(futuresStreamName).sort()).toEqual([
      'btcusdt@bookTicker',
      'btcusdt@depth10@100ms',
      'btcusdt@forceOrder',
      'btcusdt@kline_15m',
      'btcusdt@kline_1m',
      'btcusdt@kline_5m',
      'btcusdt@markPrice@1s',
      'btcusdt@trade',
    ]);
  });

  it('routes book streams to /public and the rest to /market', () => {
    const routes = Object.fromEntries(
      [
        'btcusdt@depth10@100ms',
        'btcusdt@depth@100ms',
        'btcusdt@depth@0ms',
        'btcusdt@bookTicker',
        'btcusdt@trade',
        'btcusdt@aggTrade',
        'btcusdt@kline_1m',
        'btcusdt@markPrice@1s',
        'btcusdt@markPrice',
        'btcusdt@forceOrder',
        'btcusdt@whatever',
        'nonsense',
      ].map((s) => [s, futuresStreamRoute(s)]),
    );
    expect(routes).toEqual({
      'btcusdt@depth10@100ms': 'public',
      'btcusdt@depth@100ms': 'public',
      'btcusdt@depth@0ms': 'public',
      'btcusdt@bookTicker': 'public',
      'btcusdt@trade': 'market',
      'btcusdt@aggTrade': 'market',
      'btcusdt@kline_1m': 'market',
      'btcusdt@markPrice@1s': 'market',
      'btcusdt@markPrice': 'market',
      'btcusdt@forceOrder': 'market',
      'btcusdt@whatever': null,
      nonsense: null,
    });
    expect(parseFuturesStreamName('btcusdt@depth10@100ms')).toMatchObject({
      symbol: 'BTCUSDT',
      channel: 'partialDepth',
      levels: 10,
      speed: '100ms',
    });
    expect(parseFuturesStreamName('btcusdt@kline_15m')).toMatchObject({ channel: 'kline', interval: '15m' });
    expect(parseFuturesStreamName('btcusdt@trade@1s')).toBeNull();
    expect(parseFuturesStreamName('btcusdt@depth@7ms')).toBeNull();
  });

  it('builds routed URLs on the published host', () => {
    expect(BINANCE_FUTURES_WS_BASE).toBe('wss://fstream.binance.com');
    expect(BINANCE_FUTURES_REST_BASE).toBe('https://fapi.binance.com');
    expect(routedStreamUrl(`${BINANCE_FUTURES_WS_BASE}/`, 'market', ['btcusdt@markPrice@1s', 'ethusdt@markPrice@1s'])).toBe(
      'wss://fstream.binance.com/market/stream?streams=btcusdt@markPrice@1s/ethusdt@markPrice@1s',
    );
    const conns = futuresConnections(BINANCE_FUTURES_WS_BASE, ['BTCUSDT', 'ETHUSDT']);
    expect(conns.map((c) => [c.route, c.streams.length])).toEqual([
      ['public', 4],
      ['market', 12],
    ]);
    expect(conns[0].url).toBe(
      'wss://fstream.binance.com/public/stream?streams=btcusdt@depth10@100ms/btcusdt@bookTicker/ethusdt@depth10@100ms/ethusdt@bookTicker',
    );
    expect(conns[1].url.startsWith('wss://fstream.binance.com/market/stream?streams=btcusdt@kline_1m/')).toBe(true);
  });

  it('splits 200 symbols into connections of at most 1,024 streams, each stream once on its own route', () => {
    expect(BINANCE_MAX_STREAMS_PER_CONNECTION).toBe(1024);
    const symbols = Array.from({ length: 200 }, (_, i) => `S${i}USDT`);
    const conns = futuresConnections(BINANCE_FUTURES_WS_BASE, symbols);
    expect(conns.map((c) => [c.route, c.streams.length])).toEqual([
      ['public', 400],
      ['market', 1024],
      ['market', 176],
    ]);
    const all = conns.flatMap((c) => c.streams);
    expect(new Set(all).size).toBe(200 * 8);
    for (const c of conns) {
      expect(c.streams.length).toBeLessThanOrEqual(BINANCE_MAX_STREAMS_PER_CONNECTION);
      for (const s of c.streams) expect(futuresStreamRoute(s)).toBe(c.route);
      expect(c.url).toBe(routedStreamUrl(BINANCE_FUTURES_WS_BASE, c.route, c.streams));
    }
    expect(futuresStreamUrls(BINANCE_FUTURES_WS_BASE, symbols)).toEqual(conns.map((c) => c.url));
    expect(
      futuresConnections('wss://x', ['BTCUSDT'], futuresStreamRequests(['BTCUSDT']), 3).map((c) => c.streams.length),
    ).toEqual([2, 3, 3]);
  });
});

describe('Binance USD-M REST: open interest and klines', () => {
  it('builds the URLs', () => {
    expect(openInterestUrl(`${BINANCE_FUTURES_REST_BASE}/`, 'btcusdt')).toBe(
      'https://fapi.binance.com/fapi/v1/openInterest?symbol=BTCUSDT',
    );
    expect(
      futuresRestKlinesUrl(BINANCE_FUTURES_REST_BASE, { symbol: 'btcusdt', interval: '1m', startTime: 1, limit: 1500 }),
    ).toBe('https://fapi.binance.com/fapi/v1/klines?symbol=BTCUSDT&interval=1m&startTime=1&limit=1500');
  });

  it('maps the documented body to one open_interest row', () => {
    const body = '{"openInterest":"10659.509","symbol":"BTCUSDT","time":1589437530011}';
    const o = parseOpenInterestText(body, 1589437530100, 'btcusdt');
    const [r] = records(o);
    expect(r).toEqual({
      dataset: 'open_interest',
      symbol: 'BTCUSDT',
      stream: 'rest:btcusdt@openInterest',
      row: {
        event_time: 1589437530011,
        open_interest: 10659.509,
        open_interest_value: null,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: 1589437530100,
        source: 'rest',
      },
    });
    expect(validateRow(dataset('bronze', 'open_interest'), r.row)).toBeNull();
  });

  it('reports error bodies and malformed input without throwing', () => {
    const reason = (o: ReturnType<typeof parseOpenInterest>) => (o.kind === 'error' ? o.reason : 'mapped');
    expect(reason(parseOpenInterestText('not json', 1))).toBe('not JSON');
    expect(reason(parseOpenInterest([1], 1))).toBe('open interest response is not a JSON object');
    expect(reason(parseOpenInterest({ code: -1121, msg: 'Invalid symbol.' }, 1))).toBe('exchange error -1121: Invalid symbol.');
    expect(reason(parseOpenInterest({ openInterest: 'x', symbol: 'BTCUSDT', time: 1 }, 1))).toBe(
      'openInterest: field openInterest is missing or not a decimal',
    );
    expect(reason(parseOpenInterest({ openInterest: '-1', symbol: 'BTCUSDT', time: 1 }, 1))).toBe(
      'openInterest: open_interest=-1 is below 0',
    );
    expect(reason(parseOpenInterest({ openInterest: '1', symbol: 'BTCUSDT' }, 1))).toBe(
      'openInterest: field time is missing or not an epoch-ms time',
    );
    expect(reason(parseOpenInterest({ openInterest: '1', time: 1 }, 1))).toBe(
      'openInterest: field symbol is missing or not a symbol',
    );
    expect(reason(parseOpenInterest({ openInterest: '1', symbol: 'ETHUSDT', time: 1 }, 1, 'BTCUSDT'))).toBe(
      'openInterest: asked for BTCUSDT, got ETHUSDT',
    );
  });

  it('futures kline bodies map with the spot REST kline parser', () => {
    const body = [
      [
        1672531200000,
        '16537.50',
        '16538.00',
        '16534.30',
        '16538.00',
        '170.576',
        1672531259999,
        '2821176.39850',
        1270,
        '102.452',
        '1694487.21930',
        '0',
      ],
    ];
    const { records: rows, errors } = parseRestKlines(body, 'BTCUSDT', '1m', 5, 1672531260000);
    expect(errors).toEqual([]);
    expect(rows[0].row).toMatchObject({
      open_time: 1672531200000,
      open: 16537.5,
      volume: 170.576,
      trade_count: 1270,
      is_closed: true,
      source: 'rest',
    });
  });
});
