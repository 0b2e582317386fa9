import type { KlineTimeframe } from '../../schema/columns';
import type { StreamRequest } from '../types';

/**
 * Kraken WebSocket v2 endpoint, subscribe requests and the stream names records carry
 * (docs/collector.md#what-it-collects). Kraken has no stream names of its own (a subscription is a channel plus
 * parameters), so records name theirs after the v1 channel names, which carry the parameter, followed by the symbol:
 * `ohlc-1:BTC/USD`, `book-10:BTC/USD`, `trade:BTC/USD`. Symbols are Kraken's v2 spelling, `BASE/QUOTE` with BTC (not
 * XBT).
 */

export const KRAKEN_WS_URL = 'wss://ws.kraken.com/v2';

/** Book depth collected: book_top10 needs ten levels, and Kraken's checksum covers exactly ten. */
export const KRAKEN_BOOK_DEPTH = 10;
export const KRAKEN_BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;

/** OHLC intervals (minutes) the lake stores, with their timeframe; Silver derives the longer ones from 1m. */
export const KRAKEN_OHLC_TIMEFRAMES: ReadonlyMap<number, KlineTimeframe> = new Map([
  [1, '1m'],
  [5, '5m'],
  [15, '15m'],
]);
/** Every interval Kraken offers, in minutes. */
export const KRAKEN_OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600] as const;

export type KrakenChannel = 'ohlc' | 'book' | 'trade';

export interface KrakenSubscriptionParams {
  channel: KrakenChannel;
  symbol: string[];
  /** ohlc: minutes. */
  interval?: number;
  /** book: levels per side. */
  depth?: number;
  snapshot?: boolean;
}

export interface KrakenRequest {
  method: 'subscribe' | 'unsubscribe';
  params: KrakenSubscriptionParams;
  req_id?: number;
}

export interface KrakenSubscribeOptions {
  /** OHLC intervals in minutes (default 1, 5, 15). */
  intervals?: readonly number[];
  /** Default 10. */
  depth?: number;
  /** First `req_id`; each request gets the next one. Omitted when not given. */
  reqId?: number;
}

/** The subscribe requests for ohlc (each interval), book and trade of `symbols` (`BTC/USD`): send each as JSON. */
export function krakenSubscribeMessages(symbols: readonly string[], opts: KrakenSubscribeOptions = {}): KrakenRequest[] {
  const symbol = [...symbols];
  const params: KrakenSubscriptionParams[] = [
    ...(opts.intervals ?? [...KRAKEN_OHLC_TIMEFRAMES.keys()]).map(
      (interval): KrakenSubscriptionParams => ({ channel: 'ohlc', symbol, interval }),
    ),
    { channel: 'book', symbol, depth: opts.depth ?? KRAKEN_BOOK_DEPTH, snapshot: true },
    { channel: 'trade', symbol },
  ];
  return params.map((p, i) => withId({ method: 'subscribe', params: p }, opts.reqId, i));
}

/**
 * Resynchronize one symbol's book after a checksum mismatch: unsubscribe, then subscribe again, which makes
 * Kraken send a fresh snapshot.
 */
export function krakenResubscribeMessages(
  symbol: string,
  opts: Pick<KrakenSubscribeOptions, 'depth' | 'reqId'> = {},
): KrakenRequest[] {
  const depth = opts.depth ?? KRAKEN_BOOK_DEPTH;
  return [
    withId({ method: 'unsubscribe', params: { channel: 'book', symbol: [symbol], depth } }, opts.reqId, 0),
    withId({ method: 'subscribe', params: { channel: 'book', symbol: [symbol], depth, snapshot: true } }, opts.reqId, 1),
  ];
}

const withId = (r: KrakenRequest, first: number | undefined, i: number): KrakenRequest =>
  first === undefined ? r : { ...r, req_id: first + i };

export function krakenStreamName(channel: KrakenChannel, symbol: string, param?: number): string {
  return param === undefined ? `${channel}:${symbol}` : `${channel}-${param}:${symbol}`;
}

/** Stream name of a lake dataset for a symbol (quotes come from the book stream). */
export function krakenStreamFor(req: StreamRequest): string {
  switch (req.dataset) {
    case 'klines': {
      const interval = req.timeframe === undefined ? undefined : krakenInterval(req.timeframe);
      if (interval === undefined) throw new Error(`Kraken has no ohlc stream for timeframe ${String(req.timeframe)}`);
      return krakenStreamName('ohlc', req.symbol, interval);
    }
    case 'trades':
      return krakenStreamName('trade', req.symbol);
    case 'book_top10':
    case 'quotes':
      return krakenStreamName('book', req.symbol, KRAKEN_BOOK_DEPTH);
    default:
      throw new Error(`Kraken has no stream for dataset ${req.dataset}`);
  }
}

export interface KrakenStream {
  channel: KrakenChannel;
  symbol: string;
  /** ohlc interval (minutes) or book depth. */
  param?: number;
}

const STREAM = /^(ohlc|book|trade)(?:-(\d+))?:([^:]+)$/;

/** Inverse of krakenStreamName; null when `name` is not one. */
export function parseKrakenStreamName(name: string): KrakenStream | null {
  const match = STREAM.exec(name);
  if (!match) return null;
  const channel = match[1] as KrakenChannel;
  if ((channel === 'trade') !== (match[2] === undefined)) return null;
  return match[2] === undefined ? { channel, symbol: match[3] } : { channel, symbol: match[3], param: Number(match[2]) };
}

/** Minutes of a stored timeframe (`5m` → 5); undefined when Kraken streams no such interval. */
export function krakenInterval(timeframe: string): number | undefined {
  for (const [minutes, tf] of KRAKEN_OHLC_TIMEFRAMES) if (tf === timeframe) return minutes;
  return undefined;
}
