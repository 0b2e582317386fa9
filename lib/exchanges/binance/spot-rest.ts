import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { validateRow } from '../../schema/validate';
import { baseQuote } from '../symbols';
import type { RestKlinesQuery } from '../profile';
import type { NormalizedRecord } from '../types';
import { FieldReader, isJsonObject, MAX_TIME_MS } from './field-reader';
import { restStream } from './market';

/** Binance spot REST klines (`GET /api/v3/klines`): request URL and response → Bronze `klines` rows. */

export const REST_KLINES_MAX_LIMIT = 1000;

/** `{restBase}{path}?{query}` for every Binance REST call; parameters that are undefined are left out. */
export function binanceRestUrl(restBase: string, path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, value] of Object.entries(params)) if (value !== undefined) query.set(k, String(value));
  return `${restBase.replace(/\/+$/, '')}${path}?${query.toString()}`;
}

export function restKlinesUrl(restBase: string, query: RestKlinesQuery): string {
  return binanceRestUrl(restBase, '/api/v3/klines', {
    symbol: query.symbol.toUpperCase(),
    interval: query.interval,
    startTime: query.startTime,
    endTime: query.endTime,
    limit: query.limit,
  });
}

export interface RestKlinesResult {
  records: NormalizedRecord[];
  /** One reason per rejected entry (or for the whole body when it is not a kline array). */
  errors: string[];
}

const KLINES = dataset('bronze', 'klines');

/**
 * Map a `/api/v3/klines` body: `[[openTime, "o", "h", "l", "c", "v", closeTime, "q", n, "V", "Q", "ignore"], ...]`.
 * The last candle of a response may still be open, so a row is closed only when its close time is before the
 * server's `nowMs`. REST rows have no event time.
 */
export function parseRestKlines(
  body: unknown,
  symbol: string,
  interval: string,
  receiveMs: number,
  nowMs: number,
): RestKlinesResult {
  if (!Array.isArray(body)) {
    const reason =
      isJsonObject(body) && 'code' in body
        ? `exchange error ${String(body.code)}: ${String(body.msg)}`
        : 'klines response is not an array';
    return { records: [], errors: [reason] };
  }
  const sym = symbol.toUpperCase();
  const { base, quote } = baseQuote(sym);
  const stream = restStream(sym, `kline_${interval}`);
  const read = new FieldReader();
  const records: NormalizedRecord[] = [];
  const errors: string[] = [];
  body.forEach((k: unknown, i) => {
    if (!Array.isArray(k) || k.length < 11) {
      errors.push(`kline ${i}: not an array of 11+ fields`);
      return;
    }
    read.reset();
    const openTime = time(k[0]);
    const closeTime = time(k[6]);
    const tradeCount = integer(k[8]);
    const row: Row = {
      open_time: openTime,
      close_time: closeTime,
      open: read.decimalValue(k[1], 'open'),
      high: read.decimalValue(k[2], 'high'),
      low: read.decimalValue(k[3], 'low'),
      close: read.decimalValue(k[4], 'close'),
      volume: read.decimalValue(k[5], 'volume'),
      quote_volume: read.decimalValue(k[7], 'quote_volume'),
      trade_count: tradeCount,
      taker_buy_volume: read.decimalValue(k[9], 'taker_buy_volume'),
      taker_buy_quote_volume: read.decimalValue(k[10], 'taker_buy_quote_volume'),
      is_closed: closeTime < nowMs,
      event_time: null,
      base,
      quote,
      ingest_time: receiveMs,
      source: 'rest',
    };
    const problem = read.problem ?? validateRow(KLINES, row);
    if (problem) errors.push(`kline ${i}: ${problem}`);
    else records.push({ dataset: 'klines', symbol: sym, timeframe: interval, stream, row });
  });
  return { records, errors };
}

const integer = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : NaN);
const time = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_TIME_MS ? v : NaN);

/**
 * Binance spot REST trade history by id (`GET /api/v3/historicalTrades`): request URL and response → Bronze
 * `trades` rows, as the spot WebSocket trade stream maps them (the trade time is the event time, quote_qty is
 * price × qty) but with source `rest`. Ids come ascending from `fromId`, at most 1,000 a call.
 */

export const HISTORICAL_TRADES_MAX_LIMIT = 1000;

export interface HistoricalTradesQuery {
  symbol: string;
  fromId?: number;
  limit?: number;
}

export function historicalTradesUrl(restBase: string, query: HistoricalTradesQuery): string {
  return binanceRestUrl(restBase, '/api/v3/historicalTrades', {
    symbol: query.symbol.toUpperCase(),
    fromId: query.fromId,
    limit: query.limit,
  });
}

export interface HistoricalTradesResult {
  records: NormalizedRecord[];
  /** One reason per rejected entry (or for the whole body when it is not a trade array). */
  errors: string[];
}

const TRADES = dataset('bronze', 'trades');

/**
 * Map a `/api/v3/historicalTrades` body: `[{"id":28457,"price":"4.00000100","qty":"12.00000000",
 * "quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}, ...]`. Never throws: an
 * entry with a missing or mistyped field, or a value the schema rejects (price not > 0), is left out with its
 * reason; an exchange error body (`{"code":-1121,"msg":"Invalid symbol."}`) is one error.
 */
export function parseHistoricalTrades(body: unknown, symbol: string, receiveMs: number): HistoricalTradesResult {
  if (!Array.isArray(body)) {
    const reason =
      isJsonObject(body) && 'code' in body
        ? `exchange error ${String(body.code)}: ${String(body.msg)}`
        : 'historicalTrades response is not an array';
    return { records: [], errors: [reason] };
  }
  const sym = symbol.toUpperCase();
  const { base, quote } = baseQuote(sym);
  const stream = restStream(sym, 'trade');
  const read = new FieldReader();
  const records: NormalizedRecord[] = [];
  const errors: string[] = [];
  body.forEach((trade: unknown, i) => {
    if (!isJsonObject(trade)) {
      errors.push(`trade ${i}: not an object`);
      return;
    }
    read.reset();
    const price = read.decimal(trade, 'price');
    const qty = read.decimal(trade, 'qty');
    const row: Row = {
      trade_id: read.int(trade, 'id'),
      event_time: read.time(trade, 'time'),
      price,
      qty,
      quote_qty: price * qty,
      is_buyer_maker: read.bool(trade, 'isBuyerMaker'),
      base,
      quote,
      ingest_time: receiveMs,
      source: 'rest',
    };
    const problem = read.problem ?? validateRow(TRADES, row);
    const id = typeof trade.id === 'number' ? ` (id ${trade.id})` : '';
    if (problem) errors.push(`trade ${i}${id}: ${problem}`);
    else records.push({ dataset: 'trades', symbol: sym, stream, row });
  });
  return { records, errors };
}
