import type { ExchangeId } from '../../schema/columns';
import type { StreamRequest } from '../types';

/**
 * Binance spot stream names and endpoints (SPEC §10). Binance US speaks the same protocol on other hosts.
 * Stream names are lower-case symbols followed by a case-sensitive channel (`btcusdt@bookTicker`).
 */

export type BinanceSpotExchange = Extract<ExchangeId, 'binance' | 'binanceus'>;

export const BINANCE_WS_BASE = 'wss://stream.binance.com:9443';
export const BINANCE_REST_BASE = 'https://api.binance.com';
export const BINANCE_US_WS_BASE = 'wss://stream.binance.us:9443';
export const BINANCE_US_REST_BASE = 'https://api.binance.us';

export interface SpotEndpoints {
  ws: string;
  rest: string;
}

export const BINANCE_SPOT_ENDPOINTS: Readonly<Record<BinanceSpotExchange, SpotEndpoints>> = {
  binance: { ws: BINANCE_WS_BASE, rest: BINANCE_REST_BASE },
  binanceus: { ws: BINANCE_US_WS_BASE, rest: BINANCE_US_REST_BASE },
};

/** Top-10 book at 100 ms: the partial-depth stream book_top10 is collected from. */
export const BOOK_TOP10_CHANNEL = 'depth10@100ms';

export function binanceStreamName(req: StreamRequest): string {
  const sym = req.symbol.toLowerCase();
  switch (req.dataset) {
    case 'klines':
      if (!req.timeframe) throw new Error(`kline stream for ${req.symbol} needs a timeframe`);
      return `${sym}@kline_${req.timeframe}`;
    case 'trades':
      return `${sym}@trade`;
    case 'book_top10':
      return `${sym}@${BOOK_TOP10_CHANNEL}`;
    case 'quotes':
      return `${sym}@bookTicker`;
    default:
      throw new Error(`Binance spot has no stream for dataset ${req.dataset}`);
  }
}

export function combinedStreamUrl(wsBase: string, streams: readonly string[]): string {
  return `${wsBase.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
}

export type SpotChannel = 'kline' | 'trade' | 'partialDepth' | 'bookTicker' | 'diffDepth' | 'other';

export interface SpotStream {
  readonly name: string;
  /** Upper-case, as the exchange spells the symbol in payloads. */
  readonly symbol: string;
  readonly channel: SpotChannel;
  /** Kline interval (`1m`) for kline streams. */
  readonly interval?: string;
  /** Book levels (5, 10, 20) for partial-depth streams. */
  readonly levels?: number;
  /** Push period for depth streams: 100 or 1000 ms. */
  readonly updateMs?: number;
}

function parseStreamName(name: string): SpotStream | null {
  const at = name.indexOf('@');
  if (at <= 0) return null;
  const symbol = name.slice(0, at).toUpperCase();
  const parts = name.slice(at + 1).split('@');
  const [channel, speed] = parts;
  if (parts.length > 2 || (speed !== undefined && speed !== '100ms' && speed !== '1000ms')) return null;
  const updateMs = speed === '100ms' ? 100 : 1000;
  if (channel.startsWith('kline_')) {
    return parts.length === 1 && channel.length > 6 ? { name, symbol, channel: 'kline', interval: channel.slice(6) } : null;
  }
  if (channel === 'depth') return { name, symbol, channel: 'diffDepth', updateMs };
  if (channel === 'depth5' || channel === 'depth10' || channel === 'depth20') {
    return { name, symbol, channel: 'partialDepth', levels: Number(channel.slice(5)), updateMs };
  }
  if (parts.length > 1) return null;
  if (channel === 'trade') return { name, symbol, channel: 'trade' };
  if (channel === 'bookTicker') return { name, symbol, channel: 'bookTicker' };
  return { name, symbol, channel: 'other' };
}

// A connection carries a bounded set of streams, so parsing each name once keeps the per-message path to one
// Map lookup; the cap only guards against a peer that invents names.
const STREAM_CACHE_LIMIT = 10_000;
const streamCache = new Map<string, SpotStream | null>();

/** Parse a stream name (`btcusdt@depth10@100ms`); null when it is not `<symbol>@<channel>[@speed]`. */
export function parseSpotStreamName(name: string): SpotStream | null {
  let s = streamCache.get(name);
  if (s === undefined) {
    s = parseStreamName(name);
    if (streamCache.size >= STREAM_CACHE_LIMIT) streamCache.clear();
    streamCache.set(name, s);
  }
  return s;
}
