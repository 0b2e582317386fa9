/** Kraken WebSocket v2 adapter: ohlc, book (with CRC32 checksum) and trade messages → Bronze rows. */
export { KrakenAdapter } from './adapter';
export type { KrakenAdapterOptions } from './adapter';
export type { ResyncDetail } from './book-mapper';
export { checksumToken, krakenBookChecksum, CHECKSUM_LEVELS } from './book-checksum';
export type { BookLevelText } from './book-checksum';
export { KrakenBook } from './book-state';
export type { BookLevel, BookSide } from './book-state';
export { parseRfc3339Ms } from './fields';
export { parseKeepingNumberText } from './json-text';
export {
  KRAKEN_BOOK_DEPTH,
  KRAKEN_BOOK_DEPTHS,
  KRAKEN_OHLC_INTERVALS,
  KRAKEN_OHLC_TIMEFRAMES,
  KRAKEN_WS_URL,
  krakenInterval,
  krakenResubscribeMessages,
  krakenStreamFor,
  krakenStreamName,
  krakenSubscribeMessages,
  parseKrakenStreamName,
} from './streams';
export type { KrakenChannel, KrakenRequest, KrakenStream, KrakenSubscribeOptions, KrakenSubscriptionParams } from './streams';
export { KRAKEN_PROFILE } from './profile';
