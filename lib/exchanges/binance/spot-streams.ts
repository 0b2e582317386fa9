import type { ExchangeId } from '../../schema/columns';
import type { StreamRequest } from '../types';
import {
  marketStreamName,
  marketStreamParser,
  marketStreamRequests,
  streamPeriodMs,
  type BinanceMarket,
  type BinanceStream,
} from './market';

/**
 * Binance spot stream names and endpoints (docs/collector.md). Binance US speaks the same protocol on other hosts.
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

/**
 * Spot streams klines, trades, the top-10 book and bookTicker. Partial depth is pushed every second unless the
 * name asks for 100 ms; spot names no other speed.
 */
export const BINANCE_SPOT: BinanceMarket = {
  label: 'Binance spot',
  datasets: { klines: 'kline', book_top10: BOOK_TOP10_CHANNEL, trades: 'trade', quotes: 'bookTicker' },
  speeds: { depth: { allowed: ['100ms', '1000ms'], defaultMs: 1000 } },
  named: new Set(['trade', 'bookTicker']),
};

export function binanceStreamName(req: StreamRequest): string {
  return marketStreamName(BINANCE_SPOT, req);
}

/** Every Bronze dataset Binance spot streams, per symbol. */
export function spotStreamRequests(symbols: readonly string[]): StreamRequest[] {
  return marketStreamRequests(BINANCE_SPOT, symbols);
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

/** Spot callers read a depth stream's period in ms rather than its speed suffix. */
function spotShape(stream: BinanceStream): SpotStream {
  const { speed, ...rest } = stream;
  const updateMs = streamPeriodMs(BINANCE_SPOT, stream);
  return (updateMs === undefined ? rest : { ...rest, updateMs }) as SpotStream;
}

/** Parse a stream name (`btcusdt@depth10@100ms`); null when it is not `<symbol>@<channel>[@speed]`. */
export const parseSpotStreamName: (name: string) => SpotStream | null = marketStreamParser(BINANCE_SPOT, spotShape);
