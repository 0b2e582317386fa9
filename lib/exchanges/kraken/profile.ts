import { subscription, type ExchangeProfile } from '../profile';
import type { StreamRequest } from '../types';
import { KrakenAdapter } from './adapter';
import {
  KRAKEN_OHLC_TIMEFRAMES,
  KRAKEN_WS_URL,
  krakenResubscribeMessages,
  krakenStreamFor,
  krakenSubscribeMessages,
} from './streams';

/** Kraken WebSocket v2 as the collector, the self-heal and the deployment see it. */

/** Klines of every live interval, the book (quotes come from it too) and trades. */
function krakenStreamRequests(symbols: readonly string[]): StreamRequest[] {
  return symbols.flatMap((symbol): StreamRequest[] => [
    ...[...KRAKEN_OHLC_TIMEFRAMES.values()].map((timeframe) => ({ symbol, dataset: 'klines' as const, timeframe })),
    { symbol, dataset: 'book_top10' },
    { symbol, dataset: 'trades' },
  ]);
}

export const KRAKEN_PROFILE: ExchangeProfile = {
  exchange: 'kraken',
  ws: KRAKEN_WS_URL,
  rest: 'https://api.kraken.com',
  createAdapter: () => new KrakenAdapter(),
  streamRequests: krakenStreamRequests,
  streamName: krakenStreamFor,
  // Subscriptions are messages, one per channel for every symbol: a handful, well inside Kraken's limits.
  connections: (wsBase, symbols) => [
    {
      url: wsBase,
      streams: krakenStreamRequests(symbols).map((req) => subscription(req, krakenStreamFor(req))),
      subscribeMessages: krakenSubscribeMessages(symbols).map((m) => JSON.stringify(m)),
      subscribeSpacingMs: 0,
    },
  ],
  resyncMessages: (symbol) => krakenResubscribeMessages(symbol).map((m) => JSON.stringify(m)),
  restKlines: { unavailable: "Kraken's REST OHLC serves only the latest 720 candles of an interval, not a chosen time range" },
  restTradeHistory: false,
  // Kraken's trade ids are not documented as gap-free per pair, so a jump proves nothing.
  contiguousTradeIds: false,
  // No server pings: Kraken sends a heartbeat message about once a second when nothing else is sent. It sends ohlc and
  // book messages only when something changes, so their silence can be a quiet market.
  limits: { streamSilenceMs: { klines: 0, book_top10: 0 } },
};
