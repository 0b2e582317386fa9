import type { RestKlineDialect } from '../profile';
import { FUTURES_REST_KLINES_MAX_LIMIT, futuresRestKlinesUrl } from './futures-rest';
import { klineStream } from './market';
import { REST_KLINES_MAX_LIMIT, restKlinesUrl } from './spot-rest';

/** Binance spot and USD-M answer with the same kline body (`parseRestKlines` maps both); path and rows per call differ. */

export const BINANCE_SPOT_REST_KLINES: RestKlineDialect = {
  name: 'Binance spot /api/v3/klines',
  url: restKlinesUrl,
  maxLimit: REST_KLINES_MAX_LIMIT,
  wsStream: klineStream,
};

export const BINANCE_FUTURES_REST_KLINES: RestKlineDialect = {
  name: 'Binance USD-M /fapi/v1/klines',
  url: futuresRestKlinesUrl,
  maxLimit: FUTURES_REST_KLINES_MAX_LIMIT,
  wsStream: klineStream,
};
