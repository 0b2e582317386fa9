import { groupSymbols, subscription, type ExchangeLimits, type ExchangeProfile } from '../profile';
import { BinanceFuturesAdapter } from './futures-adapter';
import { openInterestUrl, parseOpenInterestText } from './futures-rest';
import {
  BINANCE_FUTURES_REST_BASE,
  BINANCE_FUTURES_WS_BASE,
  futuresConnections,
  futuresStreamName,
  futuresStreamRequests,
} from './futures-streams';
import { BINANCE_MAX_STREAMS_PER_CONNECTION, openInterestStream } from './market';
import { BINANCE_FUTURES_REST_KLINES, BINANCE_SPOT_REST_KLINES } from './rest-klines';
import { BinanceSpotAdapter } from './spot-adapter';
import {
  BINANCE_SPOT_ENDPOINTS,
  binanceStreamName,
  combinedStreamUrl,
  spotStreamRequests,
  type BinanceSpotExchange,
} from './spot-streams';
import { MINUTE_MS } from '../../util/time';

/** Binance spot, Binance US and Binance USD-M perpetuals as the collector, the self-heal and the deployment see them. */

/** Open interest is REST-only on Binance USD-M (docs/collector.md); every 5 minutes by default. */
export const OPEN_INTEREST_POLL_MS = 5 * MINUTE_MS;

/** Binance US pings every 3 minutes, Binance spot every 20 s. */
const BINANCE_US_PING_MS = 3 * MINUTE_MS;

/** Spot's combined streams, a symbol's streams on one connection. */
function spotProfile(exchange: BinanceSpotExchange, limits: ExchangeLimits): ExchangeProfile {
  return {
    exchange,
    ...BINANCE_SPOT_ENDPOINTS[exchange],
    createAdapter: () => new BinanceSpotAdapter(exchange),
    streamRequests: spotStreamRequests,
    streamName: binanceStreamName,
    connections: (wsBase, symbols, maxStreams = BINANCE_MAX_STREAMS_PER_CONNECTION) =>
      groupSymbols(
        symbols,
        (symbol) => spotStreamRequests([symbol]).map((req) => subscription(req, binanceStreamName(req))),
        maxStreams,
      ).map((streams) => ({
        url: combinedStreamUrl(
          wsBase,
          streams.map((st) => st.name),
        ),
        streams,
      })),
    restKlines: BINANCE_SPOT_REST_KLINES,
    restTradeHistory: true,
    contiguousTradeIds: true,
    limits,
  };
}

export const BINANCE_SPOT_PROFILE = spotProfile('binance', {
  maxStreamsPerConnection: BINANCE_MAX_STREAMS_PER_CONNECTION,
  serverPingMs: 20_000,
});

/** A socket is silent once a ping is overdue; Binance US's thin books can be quiet longer than Binance's. */
export const BINANCE_US_PROFILE = spotProfile('binanceus', {
  maxStreamsPerConnection: BINANCE_MAX_STREAMS_PER_CONNECTION,
  serverPingMs: BINANCE_US_PING_MS,
  silentTimeoutMs: BINANCE_US_PING_MS + MINUTE_MS,
  streamSilenceMs: { book_top10: 0 },
});

/** USD-M's routed streams (book streams on `/public`, the rest on `/market`) and open interest over REST. */
export const BINANCE_USDM_PROFILE: ExchangeProfile = {
  exchange: 'binance-futures',
  ws: BINANCE_FUTURES_WS_BASE,
  rest: BINANCE_FUTURES_REST_BASE,
  createAdapter: () => new BinanceFuturesAdapter(),
  streamRequests: futuresStreamRequests,
  streamName: futuresStreamName,
  connections: (wsBase, symbols, maxStreams = BINANCE_MAX_STREAMS_PER_CONNECTION) => {
    const requests = futuresStreamRequests(symbols);
    const byName = new Map(requests.map((req) => [futuresStreamName(req), req]));
    return futuresConnections(wsBase, symbols, requests, maxStreams).map((c) => ({
      url: c.url,
      streams: c.streams.map((name) => subscription(byName.get(name)!, name)),
    }));
  },
  polls: (restBase, symbols, opts) => [
    {
      name: 'open_interest',
      intervalMs: opts.openInterestPollMs ?? OPEN_INTEREST_POLL_MS,
      targets: symbols.map((symbol) => ({ symbol, url: openInterestUrl(restBase, symbol), stream: openInterestStream(symbol) })),
      parse: (text, receiveMs, symbol) => parseOpenInterestText(text, receiveMs, symbol),
    },
  ],
  restKlines: BINANCE_FUTURES_REST_KLINES,
  // `/fapi/v1/historicalTrades` exists, but the trade backfill speaks spot's `/api/v3/historicalTrades` only.
  restTradeHistory: false,
  contiguousTradeIds: true,
  limits: { maxStreamsPerConnection: BINANCE_MAX_STREAMS_PER_CONNECTION, serverPingMs: 3 * MINUTE_MS },
};
