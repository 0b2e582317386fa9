import fs from 'node:fs';
import { readCryptofeed, readDocExamples, readHftbacktest, type CapturedMessage } from '../capture-reader';
import { krakenBookChecksum } from '../../../lib/exchanges/kraken/book-checksum';
import { KrakenBook } from '../../../lib/exchanges/kraken/book-state';
import { testdataPath } from '../../helpers/testdata';

/**
 * Seed messages for the adapter fuzzer, from the real captures in ../shared/testdata. A seed is a sequence: the
 * fuzzer replays its head unchanged, damages one message and checks what follows, so stateful adapters (Kraken's
 * books) are fuzzed deep inside a live book, not only at its first message. Where a capture lacks a stream
 * the adapter collects, the seed is derived from real values of a neighbouring one (said at each).
 */

export interface Corpus {
  sequences: string[][];
}

/** The first `n` messages of each stream (`{"stream": ...}` envelope) of a capture, in capture order. */
function firstPerStream(messages: readonly CapturedMessage[], n: number): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const m of messages) {
    const stream = /^\{"stream":"[^"@]*@([^"]+)"/.exec(m.raw)?.[1] ?? 'other';
    const k = seen.get(stream) ?? 0;
    if (k >= n) continue;
    seen.set(stream, k + 1);
    out.push(m.raw);
  }
  return out;
}

const payloadOf = (raw: string): Record<string, unknown> => (JSON.parse(raw) as { data: Record<string, unknown> }).data;
const envelope = (stream: string, data: unknown) => JSON.stringify({ stream, data });
const symbolOfStream = (raw: string) => /^\{"stream":"([^"@]*)@/.exec(raw)?.[1] ?? 'btcusdt';

/** A partial-depth (`depth10@100ms`) frame from the levels of a real diff-depth frame (or REST snapshot). */
function partialDepthFromDiff(raw: string): string {
  const d = payloadOf(raw);
  const levels = (v: unknown) => (Array.isArray(v) ? v.slice(0, 10) : []);
  return envelope(`${symbolOfStream(raw)}@depth10@100ms`, { lastUpdateId: d.u, bids: levels(d.b), asks: levels(d.a) });
}

/** A trade frame from a real aggTrade frame: same price, quantity, times and side; the aggregate id as trade id. */
function tradeFromAggTrade(raw: string): string {
  const d = payloadOf(raw);
  return envelope(`${symbolOfStream(raw)}@trade`, { e: 'trade', E: d.E, s: d.s, t: d.a, p: d.p, q: d.q, T: d.T, m: d.m, M: d.M });
}

const isStream = (raw: string, channel: string) => raw.includes(`@${channel}"`);

export function binanceSpotCorpus(): Corpus {
  const hft = readHftbacktest('spot_btcusdt_20240808.gz').messages;
  const eth = readHftbacktest('spot_ethusdt_20240808.gz').messages;
  const ee = readCryptofeed('BINANCE-ee25be.0').messages;
  const restSnapshots = [...hft, ...ee].filter((m) => m.raw.startsWith('{"lastUpdateId"'));
  const seeds = [
    ...firstPerStream(hft, 40),
    ...firstPerStream(eth, 15),
    // The REST depth snapshots as the depth10 payload they resemble (same keys), top ten levels.
    ...restSnapshots.map((m) => {
      const d = JSON.parse(m.raw) as { lastUpdateId: number; bids: unknown[]; asks: unknown[] };
      return envelope('btcusdt@depth10@100ms', {
        lastUpdateId: d.lastUpdateId,
        bids: d.bids.slice(0, 10),
        asks: d.asks.slice(0, 10),
      });
    }),
    ...restSnapshots.map((m) => m.raw),
    ...ee.filter((m) => isStream(m.raw, 'kline_1m') && m.raw.includes('"x":true')).map((m) => m.raw),
    ...firstPerStream(ee, 30),
    ...readCryptofeed('BINANCE.ws.1.0').messages.map((m) => m.raw),
    ...readDocExamples().map((d) => d.raw),
    // The documentation's partial-depth payload, as the combined stream carries it.
    ...readDocExamples()
      .filter((d) => d.file.includes('partial_book_depth'))
      .map((d) => envelope('bnbbtc@depth10@100ms', JSON.parse(d.raw))),
  ];
  return { sequences: seeds.map((s) => [s]) };
}

export function binanceUsCorpus(): Corpus {
  const messages = [...readCryptofeed('BINANCE_US.ws.3.0').messages, ...readCryptofeed('BINANCE_US.ws.1.0').messages];
  const seeds = [
    ...firstPerStream(messages, 40),
    ...messages.filter((m) => isStream(m.raw, 'kline_1m')).map((m) => m.raw),
    // Binance US captures hold no trade or depth10 stream: both derived from its real aggTrade and diff depth.
    ...messages.filter((m) => isStream(m.raw, 'aggTrade')).map((m) => tradeFromAggTrade(m.raw)),
    ...messages
      .filter((m) => isStream(m.raw, 'depth@100ms'))
      .slice(0, 30)
      .map((m) => partialDepthFromDiff(m.raw)),
  ];
  return { sequences: seeds.map((s) => [s]) };
}

export function binanceFuturesCorpus(): Corpus {
  const usdm = readHftbacktest('usdm_btcusdt_20240808.gz').messages;
  const cf = [...readCryptofeed('BINANCE_FUTURES.ws.1.0').messages, ...readCryptofeed('BINANCE_FUTURES.ws.5.0').messages];
  const docs = readDocExamples('binance_docs/um_futures_ws_examples_docs_derived_nautilus');
  const docChannel: Record<string, string> = {
    'mark_price_stream.json': 'markPrice@1s',
    'liquidation_stream.json': 'forceOrder',
    'kline_stream_closed.json': 'kline_1m',
    'kline_stream_open.json': 'kline_1m',
    'trade_stream.json': 'trade',
    'book_ticker_stream.json': 'bookTicker',
    'depth_update_stream.json': 'depth10@100ms',
  };
  const docSymbol = (raw: string) => {
    const p = JSON.parse(raw) as { s?: string; o?: { s?: string } };
    return (p.s ?? p.o?.s ?? 'btcusdt').toLowerCase();
  };
  const seeds = [
    ...firstPerStream(usdm, 40),
    ...usdm
      .filter((m) => isStream(m.raw, 'trade') && !m.raw.includes('"X":"MARKET"'))
      .slice(0, 10)
      .map((m) => m.raw),
    // USD-M partial depth has the diff-depth payload (e, E, T, s, U, u, pu, b, a): real diff frames, relabelled.
    ...usdm
      .filter((m) => isStream(m.raw, 'depth@0ms'))
      .slice(0, 30)
      .map((m) => {
        const d = payloadOf(m.raw);
        return envelope('btcusdt@depth10@100ms', {
          ...d,
          b: (d.b as unknown[]).slice(0, 10),
          a: (d.a as unknown[]).slice(0, 10),
        });
      }),
    ...usdm.filter((m) => m.raw.startsWith('{"lastUpdateId"')).map((m) => m.raw),
    ...firstPerStream(cf, 25),
    ...cf.filter((m) => isStream(m.raw, 'kline_1m') && m.raw.includes('"x":true')).map((m) => m.raw),
    // No real markPrice or forceOrder capture exists; the documentation's examples stand in, raw and enveloped.
    ...docs.map((d) => d.raw),
    ...docs
      .filter((d) => docChannel[d.file])
      .map((d) => envelope(`${docSymbol(d.raw)}@${docChannel[d.file]}`, JSON.parse(d.raw))),
  ];
  return { sequences: seeds.map((s) => [s]) };
}

// ---------------------------------------------------------------------------------------------------------------
// Kraken: no v2 recording exists. The v1 recordings carry real books (with Kraken's own CRC32 checksums, which
// are computed identically in v2) and trades; they are rewritten in v2's shape, numbers kept as their text.

type V1Level = [string, string, ...string[]];

const v2Symbol = (pair: string) =>
  pair
    .split('/')
    .map((a) => (a === 'XBT' ? 'BTC' : a))
    .join('/');
const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString();
const v2Levels = (levels: readonly V1Level[]) => `[${levels.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`;

function v2Book(
  type: 'snapshot' | 'update',
  symbol: string,
  bids: readonly V1Level[],
  asks: readonly V1Level[],
  sum: number,
  ts?: string,
) {
  const stamp = ts === undefined ? '' : `,"timestamp":"${ts}"`;
  const entry = `{"symbol":"${symbol}","bids":${v2Levels(bids)},"asks":${v2Levels(asks)},"checksum":${sum}${stamp}}`;
  return `{"channel":"book","type":"${type}","data":[${entry}]}`;
}

/** Book depth of the recorded v1 subscription (book-1000); the fuzzed adapter keeps books that deep. */
export const KRAKEN_RECORDED_DEPTH = 1000;

/** Per pair: the v2 snapshot and the next `updates` updates, with Kraken's recorded checksums. */
function krakenBookSequences(updates: number): string[][] {
  const sequences = new Map<string, string[]>();
  const books = new Map<string, KrakenBook>();
  for (const m of readCryptofeed('KRAKEN.ws.50.0').messages) {
    const msg: unknown = JSON.parse(m.raw);
    if (!Array.isArray(msg) || msg[msg.length - 2] !== 'book-1000') continue;
    const pair = msg[msg.length - 1] as string;
    const parts = msg.slice(1, -2) as Record<string, V1Level[] | string | undefined>[];
    const symbol = v2Symbol(pair);
    if ('as' in parts[0] || 'bs' in parts[0]) {
      const book = new KrakenBook(KRAKEN_RECORDED_DEPTH);
      const asks = (parts[0].as ?? []) as V1Level[];
      const bids = (parts[0].bs ?? []) as V1Level[];
      for (const [price, qty] of asks) book.set('ask', { price, qty, px: +price, sz: +qty });
      for (const [price, qty] of bids) book.set('bid', { price, qty, px: +price, sz: +qty });
      books.set(pair, book);
      // v1 snapshots carry no checksum; v2's does, so it is computed over the recorded text.
      sequences.set(pair, [v2Book('snapshot', symbol, bids, asks, krakenBookChecksum(book.asks, book.bids))]);
      continue;
    }
    const seq = sequences.get(pair);
    const book = books.get(pair);
    if (!seq || !book || seq.length > updates) continue;
    const asks = parts.flatMap((p) => (Array.isArray(p.a) ? p.a : []));
    const bids = parts.flatMap((p) => (Array.isArray(p.b) ? p.b : []));
    for (const [price, qty] of asks) book.set('ask', { price, qty, px: +price, sz: +qty });
    for (const [price, qty] of bids) book.set('bid', { price, qty, px: +price, sz: +qty });
    book.truncate();
    const recorded = parts.map((p) => p.c).find((c): c is string => typeof c === 'string');
    const last = [...asks, ...bids].map((l) => Number(l[2])).reduce((a, b) => Math.max(a, b), 0) || m.receiveMs / 1000;
    seq.push(v2Book('update', symbol, bids, asks, recorded === undefined ? book.checksum() : Number(recorded), iso(last)));
  }
  return [...sequences.values()];
}

function krakenTrades(): string[] {
  const out: string[] = [];
  let id = 40_000_000;
  for (const f of ['KRAKEN.ws.48.0', 'KRAKEN.ws.49.0', 'KRAKEN.ws.50.0']) {
    for (const m of readCryptofeed(f).messages) {
      const msg: unknown = JSON.parse(m.raw);
      if (!Array.isArray(msg) || msg[msg.length - 2] !== 'trade') continue;
      const symbol = v2Symbol(msg[msg.length - 1] as string);
      const trades = (msg[1] as string[][]).map(
        ([price, qty, time, side, type]) =>
          `{"symbol":"${symbol}","side":"${side === 'b' ? 'buy' : 'sell'}","price":${price},"qty":${qty},` +
          `"ord_type":"${type === 'm' ? 'market' : 'limit'}","trade_id":${id++},"timestamp":"${iso(Number(time))}"}`,
      );
      out.push(`{"channel":"trade","type":"update","data":[${trades.join(',')}]}`);
    }
  }
  return out;
}

/** Real Kraken 1m OHLCVT rows as v2 ohlc updates; v2's vwap is not in the download, so the bar's typical price stands in. */
function krakenOhlc(rows: number): string[] {
  const lines = fs.readFileSync(testdataPath('kraken', 'BTCUSDC_1m_2023Q1.csv'), 'utf8').split('\n').slice(0, rows);
  return lines.map((line) => {
    const [t, open, high, low, close, volume, trades] = line.split(',');
    const vwap = ((+high + +low + +close) / 3).toFixed(2);
    const begin = Number(t);
    return (
      `{"channel":"ohlc","type":"update","timestamp":"${iso(begin + 59.5)}",` +
      `"data":[{"symbol":"BTC/USDC","open":${open},"high":${high},` +
      `"low":${low},"close":${close},"trades":${trades},"volume":${volume},"vwap":${vwap},"interval_begin":"${iso(begin)}","interval":1,` +
      `"timestamp":"${iso(begin + 60)}"}]}`
    );
  });
}

/** v2 control traffic as Kraken documents it; the recorded v1 control messages come along unchanged. */
const KRAKEN_CONTROL = [
  '{"channel":"heartbeat"}',
  '{"channel":"status","type":"update","data":[{"version":"2.0.0","system":"online","api_version":"v2",' +
    '"connection_id":12393906104898154338}]}',
  '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"ALGO/USD"},"success":true,' +
    '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
  '{"method":"unsubscribe","result":{"channel":"book","depth":10,"symbol":"XMR/USD"},"success":true,' +
    '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
  '{"error":"Currency pair not supported","method":"subscribe","req_id":3,"success":false,"symbol":"BTC/ABC",' +
    '"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}',
  '{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}',
];

export function krakenCorpus(): Corpus {
  const v1Control = readCryptofeed('KRAKEN.ws.48.0')
    .messages.filter((m) => !m.raw.startsWith('['))
    .slice(0, 5)
    .map((m) => m.raw);
  return {
    sequences: [
      ...krakenBookSequences(40),
      ...krakenTrades().map((s) => [s]),
      ...krakenOhlc(60).map((s) => [s]),
      ...[...KRAKEN_CONTROL, ...v1Control].map((s) => [s]),
    ],
  };
}
