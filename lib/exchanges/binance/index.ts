/** Binance spot, Binance US and USD-M perpetuals: profiles, adapters, stream names and REST. */
export { BINANCE_SPOT_PROFILE, BINANCE_US_PROFILE, BINANCE_USDM_PROFILE, OPEN_INTEREST_POLL_MS } from './profile';
export { BINANCE_MAX_STREAMS_PER_CONNECTION, binanceStream, klineStream, openInterestStream } from './market';
export type { BinanceChannel, BinanceMarket, BinanceStream } from './market';
export { BinanceSpotAdapter } from './spot-adapter';
export {
  BINANCE_REST_BASE,
  BINANCE_SPOT,
  BINANCE_SPOT_ENDPOINTS,
  BINANCE_US_REST_BASE,
  BINANCE_US_WS_BASE,
  BINANCE_WS_BASE,
  BOOK_TOP10_CHANNEL,
  binanceStreamName,
  combinedStreamUrl,
  parseSpotStreamName,
  spotStreamRequests,
} from './spot-streams';
export type { BinanceSpotExchange, SpotEndpoints, SpotStream } from './spot-streams';
export {
  HISTORICAL_TRADES_MAX_LIMIT,
  historicalTradesUrl,
  parseHistoricalTrades,
  parseRestKlines,
  restKlinesUrl,
  REST_KLINES_MAX_LIMIT,
} from './spot-rest';
export type { HistoricalTradesQuery, HistoricalTradesResult, RestKlinesResult } from './spot-rest';
export { BinanceFuturesAdapter, FUTURES_SKIP_REASONS } from './futures-adapter';
export {
  BINANCE_FUTURES_REST_BASE,
  BINANCE_FUTURES_WS_BASE,
  BINANCE_USDM,
  FUTURES_BOOK_TOP10_CHANNEL,
  FUTURES_KLINE_STREAM_TIMEFRAMES,
  FUTURES_MARK_PRICE_CHANNEL,
  FUTURES_ROUTES,
  FUTURES_WS_DATASETS,
  futuresConnections,
  futuresStreamName,
  futuresStreamRequests,
  futuresStreamRoute,
  futuresStreamUrls,
  parseFuturesStreamName,
  routedStreamUrl,
} from './futures-streams';
export type { FuturesChannel, FuturesConnection, FuturesRoute, FuturesStream } from './futures-streams';
export {
  FUTURES_REST_KLINES_MAX_LIMIT,
  futuresRestKlinesUrl,
  openInterestUrl,
  parseOpenInterest,
  parseOpenInterestText,
} from './futures-rest';
export type { OpenInterestOutcome } from './futures-rest';
export { BINANCE_FUTURES_REST_KLINES, BINANCE_SPOT_REST_KLINES } from './rest-klines';
