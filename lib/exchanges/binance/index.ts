/** Binance spot (and Binance US) adapter: WebSocket messages and REST klines → Bronze rows. */
export { BinanceSpotAdapter } from './spot-adapter';
export {
  BINANCE_REST_BASE, BINANCE_SPOT_ENDPOINTS, BINANCE_US_REST_BASE, BINANCE_US_WS_BASE, BINANCE_WS_BASE, BOOK_TOP10_CHANNEL,
  binanceStreamName, combinedStreamUrl, parseSpotStreamName,
} from './spot-streams';
export type { BinanceSpotExchange, SpotEndpoints, SpotStream } from './spot-streams';
export { HISTORICAL_TRADES_MAX_LIMIT, historicalTradesUrl, parseHistoricalTrades, parseRestKlines, restKlinesUrl, REST_KLINES_MAX_LIMIT } from './spot-rest';
export type { HistoricalTradesQuery, HistoricalTradesResult, RestKlinesQuery, RestKlinesResult } from './spot-rest';
/** Binance USD-M perpetuals (`binance-futures`): routed streams, WebSocket adapter, open interest and klines over REST. */
export { BinanceFuturesAdapter, FUTURES_SKIP_REASONS } from './futures-adapter';
export {
  BINANCE_FUTURES_REST_BASE, BINANCE_FUTURES_WS_BASE, BINANCE_MAX_STREAMS_PER_CONNECTION, FUTURES_BOOK_TOP10_CHANNEL,
  FUTURES_KLINE_STREAM_TIMEFRAMES, FUTURES_MARK_PRICE_CHANNEL, FUTURES_ROUTES, FUTURES_WS_DATASETS, futuresConnections, futuresStreamName, futuresStreamRequests,
  futuresStreamRoute, futuresStreamUrls, parseFuturesStreamName, routedStreamUrl,
} from './futures-streams';
export type { FuturesChannel, FuturesConnection, FuturesRoute, FuturesStream } from './futures-streams';
export {
  FUTURES_REST_KLINES_MAX_LIMIT, futuresRestKlinesUrl, openInterestUrl, parseOpenInterest, parseOpenInterestText,
} from './futures-rest';
export type { OpenInterestOutcome } from './futures-rest';
export { BINANCE_FUTURES_REST_KLINES, BINANCE_SPOT_REST_KLINES } from './rest-klines';
export type { RestKlineDialect } from './rest-klines';
