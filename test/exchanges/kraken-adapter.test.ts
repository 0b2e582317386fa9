import fs from 'node:fs';
import { KrakenAdapter } from '../../lib/exchanges/kraken/adapter';
import { krakenBookChecksum } from '../../lib/exchanges/kraken/book-checksum';
import {
  KRAKEN_WS_URL,
  krakenResubscribeMessages,
  krakenStreamFor,
  krakenSubscribeMessages,
  parseKrakenStreamName,
} from '../../lib/exchanges/kraken/streams';
import type { NormalizedRecord } from '../../lib/exchanges/types';
import { dataset } from '../../lib/schema/registry';
import { validateRow } from '../../lib/schema/validate';
import { testdataPath } from '../helpers/testdata';
import { readCryptofeed } from './capture-reader';
import { records } from './capture-tally';

/** Messages in the shape of Kraken's WebSocket v2 documentation examples. */

const RECV = Date.UTC(2023, 9, 6, 17, 36);
const valid = (r: NormalizedRecord) => expect(validateRow(dataset('bronze', r.dataset), r.row)).toBeNull();

type Level = [string, string];
/** A v2 book message with the numbers written as the given decimal text and the checksum of `book` after it. */
function bookMessage(
  type: 'snapshot' | 'update',
  symbol: string,
  bids: Level[],
  asks: Level[],
  checksum: number,
  timestamp?: string,
): string {
  const side = (ls: Level[]) => `[${ls.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`;
  const ts = timestamp === undefined ? '' : `,"timestamp":"${timestamp}"`;
  return (
    `{"channel":"book","type":"${type}","data":[{"symbol":"${symbol}","bids":${side(bids)},"asks":${side(asks)},` +
    `"checksum":${checksum}${ts}}]}`
  );
}
const text = (ls: Level[]) => ls.map(([price, qty]) => ({ price, qty }));

// The documentation's MATIC/USD snapshot (bids best first, asks best first).
const SNAP_BIDS: Level[] = [
  ['0.5666', '4831.75496356'],
  ['0.5665', '6658.22734739'],
  ['0.5664', '18724.91513344'],
  ['0.5663', '11563.92544914'],
  ['0.5662', '14006.65365711'],
  ['0.5661', '17454.85679807'],
  ['0.566', '18097.1547'],
  ['0.5659', '33644.89175666'],
  ['0.5658', '148.3464'],
  ['0.5657', '606.70854372'],
];
const SNAP_ASKS: Level[] = [
  ['0.5668', '4410.79769741'],
  ['0.5669', '4655.40412487'],
  ['0.567', '49844.89424998'],
  ['0.5671', '24306.41678'],
  ['0.5672', '31200.23710000'],
  ['0.5673', '9983.12'],
  ['0.5674', '5000'],
  ['0.5675', '12000.5'],
  ['0.5676', '777.1'],
  ['0.5677', '1000.00000001'],
];

describe('Kraken v2 subscriptions and stream names', () => {
  it('subscribes to ohlc 1/5/15, book depth 10 and trade', () => {
    expect(KRAKEN_WS_URL).toBe('wss://ws.kraken.com/v2');
    const msgs = krakenSubscribeMessages(['BTC/USD', 'ETH/USD'], { reqId: 7 });
    expect(msgs).toEqual([
      { method: 'subscribe', params: { channel: 'ohlc', symbol: ['BTC/USD', 'ETH/USD'], interval: 1 }, req_id: 7 },
      { method: 'subscribe', params: { channel: 'ohlc', symbol: ['BTC/USD', 'ETH/USD'], interval: 5 }, req_id: 8 },
      { method: 'subscribe', params: { channel: 'ohlc', symbol: ['BTC/USD', 'ETH/USD'], interval: 15 }, req_id: 9 },
      { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD', 'ETH/USD'], depth: 10, snapshot: true }, req_id: 10 },
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD', 'ETH/USD'] }, req_id: 11 },
    ]);
    expect(krakenResubscribeMessages('BTC/USD')).toEqual([
      { method: 'unsubscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 } },
      { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10, snapshot: true } },
    ]);
  });

  it('names streams channel[-param]:SYMBOL', () => {
    expect(krakenStreamFor({ symbol: 'BTC/USD', dataset: 'klines', timeframe: '5m' })).toBe('ohlc-5:BTC/USD');
    expect(krakenStreamFor({ symbol: 'BTC/USD', dataset: 'quotes' })).toBe('book-10:BTC/USD');
    expect(krakenStreamFor({ symbol: 'BTC/USD', dataset: 'trades' })).toBe('trade:BTC/USD');
    expect(() => krakenStreamFor({ symbol: 'BTC/USD', dataset: 'klines', timeframe: '1h' })).toThrow();
    expect(parseKrakenStreamName('book-10:BTC/USD')).toEqual({ channel: 'book', symbol: 'BTC/USD', param: 10 });
    expect(parseKrakenStreamName('trade:BTC/USD')).toEqual({ channel: 'trade', symbol: 'BTC/USD' });
    expect(parseKrakenStreamName('trade-1:BTC/USD')).toBeNull();
    expect(parseKrakenStreamName('btcusd@trade')).toBeNull();
  });
});

describe('KrakenAdapter: ohlc and trade', () => {
  it('maps an ohlc update to a 5m kline that is never marked closed', () => {
    const raw =
      '{"channel":"ohlc","type":"update","timestamp":"2023-10-04T16:26:30.524394914Z","data":[{"symbol":"ALGO/USD",' +
      '"open":0.09875,"high":0.0988,' +
      '"low":0.09875,"close":0.09875,"trades":13,"volume":16255.46368,"vwap":0.09879,' +
      '"interval_begin":"2023-10-04T15:30:00.000000000Z","interval":5,' +
      '"timestamp":"2023-10-04T15:35:00.000000Z"}]}';
    const [r] = records(new KrakenAdapter().parse(raw, RECV));
    expect(r).toMatchObject({ dataset: 'klines', symbol: 'ALGO/USD', timeframe: '5m', stream: 'ohlc-5:ALGO/USD' });
    const open = Date.UTC(2023, 9, 4, 15, 30);
    expect(r.row).toMatchObject({
      open_time: open,
      close_time: open + 300_000 - 1,
      open: 0.09875,
      high: 0.0988,
      low: 0.09875,
      close: 0.09875,
      volume: 16255.46368,
      trade_count: 13,
      taker_buy_volume: null,
      taker_buy_quote_volume: null,
      is_closed: false,
      event_time: Date.UTC(2023, 9, 4, 16, 26, 30, 524),
      base: 'ALGO',
      quote: 'USD',
      ingest_time: RECV,
      source: 'ws',
    });
    expect(r.row.quote_volume).toBeCloseTo(0.09879 * 16255.46368, 9);
    valid(r);
  });

  it('maps every candle of an ohlc snapshot and skips intervals the lake does not store', () => {
    const candle = (begin: string) =>
      `{"symbol":"BTC/USD","open":27000.1,"high":27010,"low":26990.5,"close":27005,"trades":3,"volume":0.5,"vwap":27001,` +
      `"interval_begin":"${begin}","interval":1}`;
    const snap =
      `{"channel":"ohlc","type":"snapshot","timestamp":"2023-10-04T16:26:01.806315597Z",` +
      `"data":[${candle('2023-10-04T16:24:00.000000000Z')},${candle('2023-10-04T16:25:00.000000000Z')}]}`;
    const rs = records(new KrakenAdapter().parse(snap, RECV));
    expect(rs.map((r) => r.row.open_time)).toEqual([Date.UTC(2023, 9, 4, 16, 24), Date.UTC(2023, 9, 4, 16, 25)]);
    rs.forEach(valid);
    const hourly = snap.replaceAll('"interval":1', '"interval":60');
    expect(new KrakenAdapter().parse(hourly, RECV)).toEqual({
      kind: 'skipped',
      reason: 'ohlc interval 60 is not a stored timeframe',
    });
  });

  it('maps trades: a taker sell means the buyer was the maker', () => {
    const raw =
      '{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,"ord_type":"market",' +
      '"trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"},{"symbol":"MATIC/USD","side":"buy","price":0.5118,' +
      '"qty":1.5,"ord_type":"limit",' +
      '"trade_id":4665907,"timestamp":"2023-09-25T07:49:37.708706Z"}]}';
    const rs = records(new KrakenAdapter().parse(raw, RECV));
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({ dataset: 'trades', symbol: 'MATIC/USD', stream: 'trade:MATIC/USD' });
    expect(rs[0].row).toMatchObject({
      trade_id: 4665906,
      event_time: Date.UTC(2023, 8, 25, 7, 49, 37, 708),
      price: 0.5117,
      qty: 40,
      is_buyer_maker: true,
      base: 'MATIC',
      quote: 'USD',
    });
    expect(rs[0].row.quote_qty).toBeCloseTo(0.5117 * 40, 12);
    expect(rs[1].row.is_buyer_maker).toBe(false);
    rs.forEach(valid);
  });

  it('normalizes XBT to BTC in base while keeping the symbol as sent', () => {
    const raw =
      '{"channel":"trade","type":"snapshot","data":[{"symbol":"XBT/USD","side":"buy","price":27000,"qty":0.01,' +
      '"ord_type":"limit","trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]}';
    const [r] = records(new KrakenAdapter().parse(raw, RECV));
    expect(r.symbol).toBe('XBT/USD');
    expect(r.row).toMatchObject({ base: 'BTC', quote: 'USD' });
  });
});

describe('KrakenAdapter: book', () => {
  const snapshotChecksum = krakenBookChecksum(text(SNAP_ASKS), text(SNAP_BIDS));
  const snapshot = bookMessage('snapshot', 'MATIC/USD', SNAP_BIDS, SNAP_ASKS, snapshotChecksum);
  // Insert a better bid (pushing 0.5657 out of depth 10), remove ask 0.5669 and change the best ask's size.
  const updBids: Level[] = [['0.5667', '100.00000000']];
  const updAsks: Level[] = [
    ['0.5669', '0'],
    ['0.5668', '4000.5'],
  ];
  const afterBids: Level[] = [['0.5667', '100.00000000'], ...SNAP_BIDS.slice(0, 9)];
  const afterAsks: Level[] = [['0.5668', '4000.5'], ...SNAP_ASKS.slice(2), ['0.5678', '1']];
  const TS = '2023-10-06T17:35:55.440295Z';

  it('keeps the decimal text: trailing zeros change the checksum', () => {
    expect(krakenBookChecksum([{ price: '0.5672', qty: '31200.2371' }], [])).not.toBe(
      krakenBookChecksum([{ price: '0.5672', qty: '31200.23710000' }], []),
    );
  });

  it('maps a snapshot (receive time as event time) and checksummed updates to book_top10 and quotes rows', () => {
    const a = new KrakenAdapter();
    const snap = records(a.parse(snapshot, RECV));
    expect(snap.map((r) => r.dataset)).toEqual(['book_top10', 'quotes']);
    const book = snap[0];
    expect(book).toMatchObject({ symbol: 'MATIC/USD', stream: 'book-10:MATIC/USD' });
    expect(book.row).toMatchObject({
      event_time: RECV,
      last_update_id: null,
      bid_px_1: 0.5666,
      bid_sz_1: 4831.75496356,
      bid_px_10: 0.5657,
      ask_px_1: 0.5668,
      ask_sz_10: 1000.00000001,
    });
    expect(snap[1].row).toMatchObject({
      event_time: RECV,
      update_id: null,
      bid_px: 0.5666,
      bid_sz: 4831.75496356,
      ask_px: 0.5668,
      ask_sz: 4410.79769741,
    });
    snap.forEach(valid);

    // The update deletes ask 0.5669, so ask 0.5678 arrives to keep depth 10.
    const update = bookMessage(
      'update',
      'MATIC/USD',
      updBids,
      [...updAsks, ['0.5678', '1']],
      krakenBookChecksum(text(afterAsks), text(afterBids)),
      TS,
    );
    const up = records(a.parse(update, RECV + 5));
    expect(up.map((r) => r.dataset)).toEqual(['book_top10', 'quotes']);
    expect(up[0].row).toMatchObject({
      event_time: Date.UTC(2023, 9, 6, 17, 35, 55, 440),
      bid_px_1: 0.5667,
      bid_sz_1: 100,
      bid_px_10: 0.5658,
      ask_px_1: 0.5668,
      ask_sz_1: 4000.5,
      ask_px_2: 0.567,
      ask_px_10: 0.5678,
    });
    expect(up[1].row).toMatchObject({ bid_px: 0.5667, bid_sz: 100, ask_px: 0.5668, ask_sz: 4000.5 });
    up.forEach(valid);

    // A change below the top moves the book but not the quote.
    const deep: Level[] = [['0.5660', '1.5']];
    const afterDeepBids = afterBids.map(([p, q]): Level => (p === '0.566' ? ['0.5660', '1.5'] : [p, q]));
    const deeper = records(
      a.parse(
        bookMessage('update', 'MATIC/USD', deep, [], krakenBookChecksum(text(afterAsks), text(afterDeepBids)), TS),
        RECV + 6,
      ),
    );
    expect(deeper.map((r) => r.dataset)).toEqual(['book_top10']);
    expect(deeper[0].row.bid_sz_8).toBe(1.5);
  });

  it('on a checksum mismatch emits no row, asks for a resync and skips updates until the next snapshot', () => {
    const a = new KrakenAdapter();
    records(a.parse(snapshot, RECV));
    const good = krakenBookChecksum(text(afterAsks), text(afterBids));
    const corrupted = bookMessage('update', 'MATIC/USD', updBids, [...updAsks, ['0.5678', '1']], (good + 1) >>> 0, TS);
    expect(a.parse(corrupted, RECV + 1)).toEqual({
      kind: 'control',
      what: 'resync',
      detail: {
        symbol: 'MATIC/USD',
        stream: 'book-10:MATIC/USD',
        reason: 'checksum',
        expected: (good + 1) >>> 0,
        computed: good,
      },
    });
    expect(a.syncedBooks).toEqual([]);
    const later = a.parse(bookMessage('update', 'MATIC/USD', [['0.5667', '1']], [], 0, TS), RECV + 2);
    expect(later.kind).toBe('skipped');
    expect(records(a.parse(snapshot, RECV + 3))[0].row.bid_px_1).toBe(0.5666);
    expect(a.syncedBooks).toEqual(['MATIC/USD']);
  });

  it('a corrupted snapshot is refused too', () => {
    const o = new KrakenAdapter().parse(
      bookMessage('snapshot', 'MATIC/USD', SNAP_BIDS, SNAP_ASKS, (snapshotChecksum ^ 1) >>> 0),
      RECV,
    );
    expect(o).toMatchObject({ kind: 'control', what: 'resync', detail: { symbol: 'MATIC/USD', reason: 'checksum' } });
  });

  it('drops the book when its unsubscribe is acknowledged (first half of a resync)', () => {
    const a = new KrakenAdapter();
    records(a.parse(snapshot, RECV));
    const ack =
      '{"method":"unsubscribe","result":{"channel":"book","depth":10,"symbol":"MATIC/USD"},"success":true,' +
      '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}';
    expect(a.parse(ack, RECV)).toMatchObject({ kind: 'control', what: 'unsubscribe' });
    expect(a.syncedBooks).toEqual([]);
  });
});

describe('KrakenAdapter: control traffic and malformed input', () => {
  const a = new KrakenAdapter();
  it('maps heartbeat, status, acks and errors to control outcomes', () => {
    expect(a.parse('{"channel":"heartbeat"}', RECV)).toEqual({ kind: 'control', what: 'heartbeat' });
    expect(
      a.parse(
        '{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2",' +
          '"connection_id":12393906104898154338}]}',
        RECV,
      ),
    ).toMatchObject({ kind: 'control', what: 'status', detail: { system: 'online' } });
    expect(
      a.parse(
        '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ALGO/USD"},"success":true,' +
          '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
        RECV,
      ),
    ).toMatchObject({ kind: 'control', what: 'subscribe', detail: { result: { channel: 'book', symbol: 'ALGO/USD' } } });
    expect(
      a.parse(
        '{"error":"Currency pair not ' +
          'supported","method":"subscribe","req_id":3,"success":false,"symbol":"BTC/ABC",' +
          '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
        RECV,
      ),
    ).toEqual({
      kind: 'control',
      what: 'subscribe_error',
      detail: { method: 'subscribe', error: 'Currency pair not supported', symbol: 'BTC/ABC', req_id: '3' },
    });
    expect(
      a.parse(
        '{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}',
        RECV,
      ),
    ).toMatchObject({ kind: 'control', what: 'pong' });
    expect(a.parse('{"channel":"ticker","type":"update","data":[]}', RECV)).toEqual({
      kind: 'skipped',
      reason: 'channel ticker is not collected',
    });
  });

  it.each([
    ['not JSON', '{"channel":"trade",'],
    ['a bad number', '{"channel":"trade","type":"update","data":[{"price":01}]}'],
    ['not an object', '"hello"'],
    ['no channel', '{"foo":1}'],
    ['no type', '{"channel":"trade","data":[]}'],
    ['data not an array', '{"channel":"book","type":"update","data":{}}'],
    [
      'trade without price',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","qty":1,"trade_id":1,' +
        '"timestamp":"2023-09-25T07:49:37Z"}]}',
    ],
    [
      'trade with a bad side',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"up","price":1,"qty":1,"trade_id":1,' +
        '"timestamp":"2023-09-25T07:49:37Z"}]}',
    ],
    [
      'trade with a bad time',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,' +
        '"timestamp":"yesterday"}]}',
    ],
    [
      'ohlc with a fractional trade count',
      '{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","open":1,"high":1,"low":1,"close":1,"trades":1.5,' +
        '"volume":1,"vwap":1,"interval_begin":"2023-10-04T15:30:00Z","interval":1}]}',
    ],
    [
      'book level with a string price',
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":"x","qty":1}],"asks":[],"checksum":1}]}',
    ],
    ['book without checksum', '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[],"asks":[]}]}'],
    [
      'book with a negative price',
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":-1,"qty":1}],"asks":[],"checksum":1}]}',
    ],
  ])('%s → error', (_what, raw) => {
    const o = a.parse(raw, RECV);
    expect(o.kind).toBe('error');
  });
});

describe('KrakenAdapter on the v1 captures (cryptofeed KRAKEN.ws.48.0/49.0/50.0)', () => {
  it.each(['KRAKEN.ws.48.0', 'KRAKEN.ws.49.0', 'KRAKEN.ws.50.0'])(
    '%s: every line is accounted for as a skipped v1 message',
    (file) => {
      const capture = readCryptofeed(file);
      const a = new KrakenAdapter();
      const outcomes = new Map<string, number>();
      for (const m of capture.messages) {
        const o = a.parse(m.raw, m.receiveMs);
        const key = o.kind === 'skipped' ? `skipped: ${o.reason}` : o.kind;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
      expect([...outcomes]).toEqual([['skipped: Kraken WS v1 message', capture.messages.length]]);
      const lines = fs.readFileSync(testdataPath('cryptofeed_ws', file), 'utf8').replace(/\n$/, '').split('\n').length;
      expect(capture.messages.length + capture.skippedLines).toBe(lines);
    },
  );
});
