import { FUTURES_REST_KLINES_MAX_LIMIT, futuresRestKlinesUrl } from './futures-rest';
import { klineStream } from './market';
import { REST_KLINES_MAX_LIMIT, restKlinesUrl, type RestKlinesQuery } from './spot-rest';

/**
 * A REST kline dialect: what the REST backfill (and the hourly self-heal) needs to page through one exchange's
 * klines endpoint. Binance spot and USD-M futures answer with the same body layout (`parseRestKlines` maps
 * both); they differ in path and in rows per call.
 */
export interface RestKlineDialect {
  /** The endpoint, for messages: `Binance spot /api/v3/klines`. */
  name: string;
  url(restBase: string, q: RestKlinesQuery): string;
  /** Most rows one call returns. */
  maxLimit: number;
  /** The WebSocket stream carrying `symbol`'s klines of `interval`: its gap-ledger rows are the ones the heal reads. */
  wsStream(symbol: string, interval: string): string;
}

export const BINANCE_SPOT_REST_KLINES: RestKlineDialect = {
  name: 'Binance spot /api/v3/klines', url: restKlinesUrl, maxLimit: REST_KLINES_MAX_LIMIT, wsStream: klineStream,
};

export const BINANCE_FUTURES_REST_KLINES: RestKlineDialect = {
  name: 'Binance USD-M /fapi/v1/klines', url: futuresRestKlinesUrl, maxLimit: FUTURES_REST_KLINES_MAX_LIMIT, wsStream: klineStream,
};
