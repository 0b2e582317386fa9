import { BINANCE_SPOT_ENDPOINTS, BinanceSpotAdapter, binanceStreamName, combinedStreamUrl } from '../exchanges/binance';
import type { ConnectionSpec } from '../collector/managed-connection';
import type { ExchangeAdapter, StreamRequest } from '../exchanges/types';
import type { ExchangeId } from '../schema/columns';
import { UserError } from '../util/errors';

/**
 * What the collector needs to know of each source: the exchange id rows are filed under, the adapter, the
 * default endpoints and the streams to subscribe for a set of symbols.
 */

export const SOURCES = ['binance', 'binanceus', 'binance-futures', 'kraken', 'sim'] as const;
export type SourceId = (typeof SOURCES)[number];

export interface SourceProfile {
  exchange: ExchangeId;
  adapter: ExchangeAdapter;
  ws: string;
  rest: string;
  /**
   * The WebSocket connections carrying every stream of `symbols` against `wsBase`, split so that none carries
   * more than `maxStreams` (the exchange's limit by default) and a symbol's streams stay on one connection.
   */
  connections(wsBase: string, symbols: readonly string[], maxStreams?: number): ConnectionSpec[];
  /** Exchange trade ids are consecutive per symbol: a jump is a gap. */
  contiguousTradeIds: boolean;
}

/** Binance: at most 1,024 streams per connection. */
export const BINANCE_MAX_STREAMS = 1024;

/** Groups symbols so each group's streams fit one connection; a symbol is never split across connections. */
export function groupSymbols<T>(symbols: readonly string[], streamsOf: (symbol: string) => T[], maxStreams: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  for (const symbol of symbols) {
    const streams = streamsOf(symbol);
    if (current.length > 0 && current.length + streams.length > maxStreams) {
      groups.push(current);
      current = [];
    }
    current.push(...streams);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Every Bronze dataset Binance spot streams, per symbol (SPEC C1). */
export function spotStreamRequests(symbols: readonly string[]): StreamRequest[] {
  return symbols.flatMap((symbol) => [
    ...(['1m', '5m', '15m'] as const).map((timeframe) => ({ symbol, dataset: 'klines' as const, timeframe })),
    { symbol, dataset: 'book_top10' as const },
    { symbol, dataset: 'trades' as const },
    { symbol, dataset: 'quotes' as const },
  ]);
}

export function sourceProfile(source: SourceId): SourceProfile {
  switch (source) {
    case 'binance':
    case 'binanceus':
    case 'sim': {
      // The simulator speaks Binance spot's protocol; its rows are filed as binance.
      const exchange = source === 'binanceus' ? 'binanceus' : 'binance';
      const endpoints = BINANCE_SPOT_ENDPOINTS[exchange];
      return {
        exchange, adapter: new BinanceSpotAdapter(exchange), ws: endpoints.ws, rest: endpoints.rest,
        contiguousTradeIds: true,
        connections: (wsBase, symbols, maxStreams = BINANCE_MAX_STREAMS) =>
          groupSymbols(symbols, (sym) => spotStreamRequests([sym]).map(binanceStreamName), maxStreams)
            .map((streams) => ({ url: combinedStreamUrl(wsBase, streams), streams })),
      };
    }
    default:
      throw new UserError(`source '${source}' is not supported yet (supported: binance, binanceus, sim)`);
  }
}
