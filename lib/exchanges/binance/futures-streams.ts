import type { BronzeDatasetName, StreamRequest } from '../types';

/**
 * Binance USD-M perpetuals (exchange id `binance-futures`): endpoints, stream names and their routes (SPEC §10).
 * Since 2026 `fstream.binance.com` routes streams by path: `/public` carries the high-frequency book streams,
 * `/market` the rest. A connection on the old un-routed `/stream` or `/ws` still ACKs a subscription to a
 * `/market` stream and then sends nothing for it, so every URL built here names its route.
 */

export const BINANCE_FUTURES_WS_BASE = 'wss://fstream.binance.com';
export const BINANCE_FUTURES_REST_BASE = 'https://fapi.binance.com';

/** Binance closes (or refuses) a connection subscribed to more streams than this; spot has the same limit. */
export const BINANCE_MAX_STREAMS_PER_CONNECTION = 1024;

export type FuturesRoute = 'public' | 'market';
export const FUTURES_ROUTES: readonly FuturesRoute[] = ['public', 'market'];

/** Top-10 book at 100 ms. Unlike spot, futures partial-depth payloads carry `e`, `E`, `T`, `s`, `U`, `u`, `pu`. */
export const FUTURES_BOOK_TOP10_CHANNEL = 'depth10@100ms';
/** Mark price once a second; its payload carries the funding rate and the next funding time. */
export const FUTURES_MARK_PRICE_CHANNEL = 'markPrice@1s';

/** Kline intervals collected live (SPEC §3); longer timeframes are derived in Silver and Gold. */
export const FUTURES_KLINE_STREAM_TIMEFRAMES = ['1m', '5m', '15m'] as const;

/** Datasets a futures WebSocket connection collects; open interest is REST only. */
export const FUTURES_WS_DATASETS: readonly Exclude<BronzeDatasetName, 'open_interest' | 'gaps'>[] = [
  'klines', 'book_top10', 'trades', 'quotes', 'funding', 'liquidations',
];

export function futuresStreamName(req: StreamRequest): string {
  const sym = req.symbol.toLowerCase();
  switch (req.dataset) {
    case 'klines':
      if (!req.timeframe) throw new Error(`kline stream for ${req.symbol} needs a timeframe`);
      return `${sym}@kline_${req.timeframe}`;
    case 'trades':
      return `${sym}@trade`;
    case 'book_top10':
      return `${sym}@${FUTURES_BOOK_TOP10_CHANNEL}`;
    case 'quotes':
      return `${sym}@bookTicker`;
    case 'funding':
      return `${sym}@${FUTURES_MARK_PRICE_CHANNEL}`;
    case 'liquidations':
      return `${sym}@forceOrder`;
    default:
      throw new Error(`Binance USD-M has no stream for dataset ${req.dataset}`);
  }
}

/** Every WebSocket dataset of every symbol (klines 1m, 5m, 15m); open interest is polled over REST. */
export function futuresStreamRequests(symbols: readonly string[]): StreamRequest[] {
  const out: StreamRequest[] = [];
  for (const symbol of symbols) {
    for (const dataset of FUTURES_WS_DATASETS) {
      if (dataset === 'klines') for (const timeframe of FUTURES_KLINE_STREAM_TIMEFRAMES) out.push({ symbol, dataset, timeframe });
      else out.push({ symbol, dataset });
    }
  }
  return out;
}

export type FuturesChannel = 'kline' | 'trade' | 'aggTrade' | 'partialDepth' | 'diffDepth' | 'bookTicker' | 'markPrice' | 'forceOrder' | 'other';

export interface FuturesStream {
  readonly name: string;
  /** Upper-case, as payloads spell it. */
  readonly symbol: string;
  readonly channel: FuturesChannel;
  /** Kline interval for kline streams. */
  readonly interval?: string;
  /** Book levels (5, 10, 20) for partial-depth streams. */
  readonly levels?: number;
  /** The `@...` suffix after the channel (`100ms`, `0ms`, `1s`), when there is one. */
  readonly speed?: string;
}

const SPEEDS: Readonly<Record<string, readonly string[]>> = {
  depth: ['100ms', '250ms', '500ms', '0ms'],
  markPrice: ['1s'],
};

function parseName(name: string): FuturesStream | null {
  const at = name.indexOf('@');
  if (at <= 0) return null;
  const symbol = name.slice(0, at).toUpperCase();
  const parts = name.slice(at + 1).split('@');
  if (parts.length > 2) return null;
  const [channel, speed] = parts;
  const depth = /^depth(5|10|20)?$/.exec(channel);
  const allowed = SPEEDS[depth ? 'depth' : channel];
  if (speed !== undefined && !allowed?.includes(speed)) return null;
  const base = speed === undefined ? { name, symbol } : { name, symbol, speed };
  if (depth) return depth[1] ? { ...base, channel: 'partialDepth', levels: Number(depth[1]) } : { ...base, channel: 'diffDepth' };
  if (channel.startsWith('kline_')) return channel.length > 6 ? { ...base, channel: 'kline', interval: channel.slice(6) } : null;
  switch (channel) {
    case 'trade':
    case 'aggTrade':
    case 'bookTicker':
    case 'markPrice':
    case 'forceOrder':
      return { ...base, channel };
    default:
      return { ...base, channel: 'other' };
  }
}

// One parse per distinct name; the cap only guards against a peer that invents names.
const STREAM_CACHE_LIMIT = 10_000;
const streamCache = new Map<string, FuturesStream | null>();

/** Parse `btcusdt@depth10@100ms`; null when it is not `<symbol>@<channel>[@speed]` with a known speed. */
export function parseFuturesStreamName(name: string): FuturesStream | null {
  let s = streamCache.get(name);
  if (s === undefined) {
    s = parseName(name);
    if (streamCache.size >= STREAM_CACHE_LIMIT) streamCache.clear();
    streamCache.set(name, s);
  }
  return s;
}

/**
 * The route a stream must be opened on: book streams (depth, bookTicker) are `/public`; trades, klines, mark
 * price and liquidations are `/market`. Null for names we cannot place.
 */
export function futuresStreamRoute(name: string): FuturesRoute | null {
  const s = parseFuturesStreamName(name);
  if (!s) return null;
  switch (s.channel) {
    case 'partialDepth':
    case 'diffDepth':
    case 'bookTicker':
      return 'public';
    case 'other':
      return null;
    default:
      return 'market';
  }
}

export function routedStreamUrl(wsBase: string, route: FuturesRoute, streams: readonly string[]): string {
  return `${wsBase.replace(/\/+$/, '')}/${route}/stream?streams=${streams.join('/')}`;
}

export interface FuturesConnection {
  route: FuturesRoute;
  streams: string[];
  url: string;
}

/**
 * Combined-stream connections for `symbols` (every WebSocket dataset, or the given `requests`): streams grouped
 * by route, each group split so no connection carries more than `maxStreams`. Routes come out public first.
 */
export function futuresConnections(
  wsBase: string,
  symbols: readonly string[],
  requests: readonly StreamRequest[] = futuresStreamRequests(symbols),
  maxStreams = BINANCE_MAX_STREAMS_PER_CONNECTION,
): FuturesConnection[] {
  if (!(maxStreams >= 1)) throw new Error(`maxStreams must be at least 1, got ${maxStreams}`);
  const byRoute = new Map<FuturesRoute, string[]>(FUTURES_ROUTES.map((r) => [r, []]));
  const seen = new Set<string>();
  for (const req of requests) {
    const name = futuresStreamName(req);
    if (seen.has(name)) continue;
    seen.add(name);
    const route = futuresStreamRoute(name);
    if (!route) throw new Error(`no route for stream ${name}`);
    byRoute.get(route)!.push(name);
  }
  const out: FuturesConnection[] = [];
  for (const [route, names] of byRoute) {
    for (let i = 0; i < names.length; i += maxStreams) {
      const streams = names.slice(i, i + maxStreams);
      out.push({ route, streams, url: routedStreamUrl(wsBase, route, streams) });
    }
  }
  return out;
}

/** Just the URLs of `futuresConnections`. */
export function futuresStreamUrls(wsBase: string, symbols: readonly string[], requests?: readonly StreamRequest[]): string[] {
  return futuresConnections(wsBase, symbols, requests).map((c) => c.url);
}
