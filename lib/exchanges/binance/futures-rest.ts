import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { validateRow } from '../../schema/validate';
import { baseQuote } from '../symbols';
import type { RestKlinesQuery } from '../profile';
import type { NormalizedRecord } from '../types';
import { FieldReader, isJsonObject } from './field-reader';
import { openInterestStream } from './market';
import { binanceRestUrl } from './spot-rest';

/**
 * Binance USD-M REST: open interest (`GET /fapi/v1/openInterest`, the only source of it) and klines
 * (`GET /fapi/v1/klines`). Futures kline bodies have the spot layout, so `parseRestKlines` from spot-rest maps
 * them unchanged; only the path and the row cap differ.
 */

/** `/fapi/v1/klines` serves up to 1,500 rows per call (spot: 1,000). */
export const FUTURES_REST_KLINES_MAX_LIMIT = 1500;

export function futuresRestKlinesUrl(restBase: string, query: RestKlinesQuery): string {
  return binanceRestUrl(restBase, '/fapi/v1/klines', {
    symbol: query.symbol.toUpperCase(),
    interval: query.interval,
    startTime: query.startTime,
    endTime: query.endTime,
    limit: query.limit,
  });
}

export function openInterestUrl(restBase: string, symbol: string): string {
  return binanceRestUrl(restBase, '/fapi/v1/openInterest', { symbol: symbol.toUpperCase() });
}

export type OpenInterestOutcome = { kind: 'records'; records: NormalizedRecord[] } | { kind: 'error'; reason: string };

const OPEN_INTEREST = dataset('bronze', 'open_interest');

/**
 * Map a `/fapi/v1/openInterest` body (`{"openInterest":"10659.509","symbol":"BTCUSDT","time":1589437530011}`,
 * already JSON-decoded) to one `open_interest` row. `time` is the exchange's reading time, so it is the event
 * time; the endpoint gives no quote-asset value, so `open_interest_value` is null. Never throws.
 */
export function parseOpenInterest(body: unknown, receiveMs: number, expectedSymbol?: string): OpenInterestOutcome {
  if (!isJsonObject(body)) return { kind: 'error', reason: 'open interest response is not a JSON object' };
  if ('code' in body && !('openInterest' in body))
    return { kind: 'error', reason: `exchange error ${String(body.code)}: ${String(body.msg)}` };
  const read = new FieldReader();
  const symbol = read.symbol(body, 'symbol').toUpperCase();
  const row: Row = {
    event_time: read.time(body, 'time'),
    open_interest: read.decimal(body, 'openInterest'),
    open_interest_value: null,
    ...baseQuote(symbol),
    ingest_time: receiveMs,
    source: 'rest',
  };
  const problem = read.problem ?? validateRow(OPEN_INTEREST, row);
  if (problem) return { kind: 'error', reason: `openInterest: ${problem}` };
  if (expectedSymbol !== undefined && symbol !== expectedSymbol.toUpperCase()) {
    return { kind: 'error', reason: `openInterest: asked for ${expectedSymbol.toUpperCase()}, got ${symbol}` };
  }
  return { kind: 'records', records: [{ dataset: 'open_interest', symbol, stream: openInterestStream(symbol), row }] };
}

/** `parseOpenInterest` of the raw response text. */
export function parseOpenInterestText(text: string, receiveMs: number, expectedSymbol?: string): OpenInterestOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'error', reason: 'not JSON' };
  }
  return parseOpenInterest(body, receiveMs, expectedSymbol);
}
