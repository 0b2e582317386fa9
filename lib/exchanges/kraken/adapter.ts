import { isJsonObject, type Json } from '../binance/field-reader';
import { ReasonNames } from '../reasons';
import type { ExchangeAdapter, ParseOutcome } from '../types';
import { KrakenBookMapper } from './book-mapper';
import { KrakenFields } from './fields';
import { parseKeepingNumberText } from './json-text';
import { mapOhlc } from './ohlc-mapper';
import { KRAKEN_BOOK_DEPTH } from './streams';
import { mapTrades } from './trade-mapper';

export type { ResyncDetail } from './book-mapper';

/**
 * Kraken WebSocket v2 messages → Bronze rows: ohlc → klines (ohlc-mapper.ts), trade → trades (trade-mapper.ts),
 * book snapshot + updates → one book_top10 row per message and a quotes row when the top of book changed
 * (book-mapper.ts, which keeps each symbol's book and asks for a resync when Kraken's CRC32 does not match).
 * Here: the message envelope, the channels and the acks of our requests.
 */

const V1 = 'Kraken WS v1 message';

export interface KrakenAdapterOptions {
  /** Book depth subscribed (default 10): the book is truncated to it after every message, as Kraken requires. */
  bookDepth?: number;
}

export class KrakenAdapter implements ExchangeAdapter {
  readonly exchange = 'kraken' as const;
  private readonly fields = new KrakenFields();
  private readonly names = new ReasonNames();
  private readonly books: KrakenBookMapper;

  constructor(options: KrakenAdapterOptions = {}) {
    this.books = new KrakenBookMapper(this.fields, this.names, options.bookDepth ?? KRAKEN_BOOK_DEPTH);
  }

  /** Symbols whose book is in sync (a snapshot arrived and every checksum since matched). */
  get syncedBooks(): string[] {
    return this.books.syncedBooks;
  }

  parse(raw: string, receiveMs: number): ParseOutcome {
    let msg: unknown;
    try {
      msg = parseKeepingNumberText(raw);
    } catch {
      return { kind: 'error', reason: 'not JSON' };
    }
    if (Array.isArray(msg)) return { kind: 'skipped', reason: V1 };
    if (!isJsonObject(msg)) return { kind: 'error', reason: 'not a JSON object' };
    if (typeof msg.event === 'string') return { kind: 'skipped', reason: V1 };
    if (typeof msg.method === 'string') return this.response(msg);
    const channel = msg.channel;
    if (typeof channel !== 'string') {
      if (msg.success === false || 'error' in msg) return { kind: 'control', what: 'error', detail: msg };
      return { kind: 'error', reason: 'unrecognized message: no channel or method' };
    }
    switch (channel) {
      case 'heartbeat':
        return { kind: 'control', what: 'heartbeat' };
      case 'status':
        return { kind: 'control', what: 'status', detail: Array.isArray(msg.data) ? msg.data[0] : msg.data };
      case 'ohlc':
      case 'trade':
      case 'book': {
        const type = msg.type;
        if (type !== 'snapshot' && type !== 'update')
          return { kind: 'error', reason: `${channel}: field type is not snapshot or update` };
        if (!Array.isArray(msg.data)) return { kind: 'error', reason: `${channel}: field data is not an array` };
        if (channel === 'ohlc') return mapOhlc(this.fields, this.names, msg, msg.data, receiveMs);
        if (channel === 'trade') return mapTrades(this.fields, msg.data, receiveMs);
        return this.books.map(msg.data, type === 'snapshot', receiveMs);
      }
      default:
        return { kind: 'skipped', reason: `channel ${this.names.name('channel', channel)} is not collected` };
    }
  }

  /** Acks of our requests (subscribe, unsubscribe, ping), successful or not. */
  private response(msg: Json): ParseOutcome {
    const method = msg.method as string;
    const subscription = method === 'subscribe' || method === 'unsubscribe';
    if (msg.success === false) {
      return {
        kind: 'control',
        what: subscription ? 'subscribe_error' : 'error',
        detail: { method, error: msg.error, symbol: msg.symbol, req_id: msg.req_id },
      };
    }
    const result = isJsonObject(msg.result) ? msg.result : undefined;
    // Unsubscribing a book (the first half of a resync) makes its state stale until the next snapshot.
    if (method === 'unsubscribe' && result?.channel === 'book' && typeof result.symbol === 'string')
      this.books.forget(result.symbol.toUpperCase());
    if (method === 'pong') return { kind: 'control', what: 'pong', detail: { req_id: msg.req_id } };
    // The collector counts control messages by `what`: a method name from the peer goes through names.
    return { kind: 'control', what: this.names.name('method', method), detail: { result, req_id: msg.req_id } };
  }
}
