import type { BronzeDatasetName, StreamRequest } from '../types';
import {
  BINANCE_MAX_STREAMS_PER_CONNECTION,
  KLINE_STREAM_TIMEFRAMES,
  marketStreamName,
  marketStreamParser,
  marketStreamRequests,
  type BinanceChannel,
  type BinanceMarket,
  type BinanceStream,
} from './market';

/**
 * Binance USD-M perpetuals (exchange id `binance-futures`): endpoints, stream names and their routes
 * (docs/collector.md). Since 2026 `fstream.binance.com` routes streams by path: `/public` carries the
 * high-frequency book streams, `/market` the rest. A connection on the old un-routed `/stream` or `/ws` still ACKs
 * a subscription to a `/market` stream and then sends nothing for it, so every URL built here names its route.
 */

export const BINANCE_FUTURES_WS_BASE = 'wss://fstream.binance.com';
export const BINANCE_FUTURES_REST_BASE = 'https://fapi.binance.com';

export { BINANCE_MAX_STREAMS_PER_CONNECTION };

export type FuturesRoute = 'public' | 'market';
export const FUTURES_ROUTES: readonly FuturesRoute[] = ['public', 'market'];

/** Top-10 book at 100 ms. Unlike spot, futures partial-depth payloads carry `e`, `E`, `T`, `s`, `U`, `u`, `pu`. */
export const FUTURES_BOOK_TOP10_CHANNEL = 'depth10@100ms';
/** Mark price once a second; its payload carries the funding rate and the next funding time. */
export const FUTURES_MARK_PRICE_CHANNEL = 'markPrice@1s';

export const FUTURES_KLINE_STREAM_TIMEFRAMES = KLINE_STREAM_TIMEFRAMES;

/**
 * What USD-M streams beyond spot: funding (mark price) and liquidations; open interest is REST only. Depth is
 * pushed every 250 ms unless the name asks for 100, 500 or 0 ms; mark price every 3 s, or every second.
 */
export const BINANCE_USDM: BinanceMarket = {
  label: 'Binance USD-M',
  datasets: {
    klines: 'kline',
    book_top10: FUTURES_BOOK_TOP10_CHANNEL,
    trades: 'trade',
    quotes: 'bookTicker',
    funding: FUTURES_MARK_PRICE_CHANNEL,
    liquidations: 'forceOrder',
  },
  speeds: {
    depth: { allowed: ['100ms', '250ms', '500ms', '0ms'], defaultMs: 250 },
    markPrice: { allowed: ['1s'], defaultMs: 3000 },
  },
  named: new Set(['trade', 'aggTrade', 'bookTicker', 'markPrice', 'forceOrder']),
};

/** Datasets a futures WebSocket connection collects; open interest is REST only. */
export const FUTURES_WS_DATASETS = Object.keys(BINANCE_USDM.datasets) as readonly Exclude<
  BronzeDatasetName,
  'open_interest' | 'gaps'
>[];

export function futuresStreamName(req: StreamRequest): string {
  return marketStreamName(BINANCE_USDM, req);
}

/** Every WebSocket dataset of every symbol (klines 1m, 5m, 15m); open interest is polled over REST. */
export function futuresStreamRequests(symbols: readonly string[]): StreamRequest[] {
  return marketStreamRequests(BINANCE_USDM, symbols);
}

export type FuturesChannel = BinanceChannel;
export type FuturesStream = BinanceStream;

/** Parse `btcusdt@depth10@100ms`; null when it is not `<symbol>@<channel>[@speed]` with a known speed. */
export const parseFuturesStreamName: (name: string) => FuturesStream | null = marketStreamParser(BINANCE_USDM, (s) => s);

/**
 * The route a stream must be opened on: book streams (depth, bookTicker) are `/public`; trades, klines, mark
 * price and liquidations are `/market`. Null for names we cannot place.
 */
export function futuresStreamRoute(name: string): FuturesRoute | null {
  const stream = parseFuturesStreamName(name);
  if (!stream) return null;
  switch (stream.channel) {
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
