import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { isJsonObject, type Json } from '../binance/field-reader';
import type { ReasonNames } from '../reasons';
import { baseQuote } from '../symbols';
import type { NormalizedRecord, ParseOutcome } from '../types';
import type { KrakenFields } from './fields';
import { rowRefusal } from './row-refusal';
import { KRAKEN_OHLC_TIMEFRAMES, krakenStreamName } from './streams';
import { MINUTE_MS } from '../../util/time';

/** Kraken v2 `ohlc` messages → Bronze klines rows. */

const KLINES = dataset('bronze', 'klines');

/**
 * Kraken candles carry no final flag: every update of an open candle becomes a row with is_closed false, and
 * Silver keeps the last version per open_time. `timestamp` of the message is the event time; the receive time
 * stands in when it is absent.
 */
export function mapOhlc(fields: KrakenFields, names: ReasonNames, msg: Json, data: unknown[], receiveMs: number): ParseOutcome {
  const read = fields.reset();
  const eventTime = msg.timestamp === undefined ? receiveMs : read.time(msg, 'timestamp');
  const records: NormalizedRecord[] = [];
  let unstored: number | undefined;
  for (const candle of data) {
    if (!isJsonObject(candle)) return { kind: 'error', reason: 'ohlc: candle is not an object' };
    const symbol = read.symbol(candle, 'symbol').toUpperCase();
    const interval = read.int(candle, 'interval');
    if (read.problem) return { kind: 'error', reason: `ohlc: ${read.problem}` };
    const timeframe = KRAKEN_OHLC_TIMEFRAMES.get(interval);
    if (timeframe === undefined) {
      unstored = interval;
      continue;
    }
    const { base, quote } = baseQuote(symbol);
    const openTime = read.time(candle, 'interval_begin');
    const volume = read.decimal(candle, 'volume');
    const row: Row = {
      open_time: openTime,
      close_time: openTime + interval * MINUTE_MS - 1,
      open: read.decimal(candle, 'open'),
      high: read.decimal(candle, 'high'),
      low: read.decimal(candle, 'low'),
      close: read.decimal(candle, 'close'),
      volume,
      // vwap × volume is the quote volume up to vwap's rounding (Kraken prints it at about the pair's price
      // precision: at most half a tick per unit of volume), and it is the only place vwap survives in Bronze.
      quote_volume: read.decimal(candle, 'vwap') * volume,
      trade_count: read.int(candle, 'trades'),
      taker_buy_volume: null,
      taker_buy_quote_volume: null,
      is_closed: false,
      event_time: eventTime,
      base,
      quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const problem = rowRefusal(KLINES, 'ohlc', read, row);
    if (problem) return { kind: 'error', reason: problem };
    records.push({ dataset: 'klines', symbol, timeframe, stream: krakenStreamName('ohlc', symbol, interval), row });
  }
  if (records.length === 0) {
    if (unstored === undefined) return { kind: 'skipped', reason: 'ohlc message without candles' };
    return { kind: 'skipped', reason: `ohlc interval ${names.name('interval', unstored)} is not a stored timeframe` };
  }
  return { kind: 'records', records };
}
