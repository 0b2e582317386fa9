/** Binance spot (and Binance US) adapter: WebSocket messages and REST klines → Bronze rows. */
export { BinanceSpotAdapter } from './spot-adapter';
export {
  BINANCE_REST_BASE, BINANCE_SPOT_ENDPOINTS, BINANCE_US_REST_BASE, BINANCE_US_WS_BASE, BINANCE_WS_BASE, BOOK_TOP10_CHANNEL,
  binanceStreamName, combinedStreamUrl, parseSpotStreamName,
} from './spot-streams';
export type { BinanceSpotExchange, SpotEndpoints, SpotStream } from './spot-streams';
export { parseRestKlines, restKlinesUrl, REST_KLINES_MAX_LIMIT } from './spot-rest';
export type { RestKlinesQuery, RestKlinesResult } from './spot-rest';
