import { BINANCE_SPOT_ENDPOINTS, BinanceSpotAdapter, binanceStreamName, combinedStreamUrl } from '../exchanges/binance';
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
  /** Full WebSocket URL subscribing every stream of `symbols`, against `wsBase`. */
  url(wsBase: string, symbols: readonly string[]): string;
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
        url: (wsBase, symbols) => combinedStreamUrl(wsBase, spotStreamRequests(symbols).map(binanceStreamName)),
      };
    }
    default:
      throw new UserError(`source '${source}' is not supported yet (supported: binance, binanceus, sim)`);
  }
}
