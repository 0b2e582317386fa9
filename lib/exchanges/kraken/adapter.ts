import { dataset } from '../../schema/registry';
import type { DatasetSpec, Row } from '../../schema/types';
import { ReasonNames, rowProblem } from '../reasons';
import { isJsonObject, type Json } from '../binance/field-reader';
import { baseQuote } from '../symbols';
import type { ExchangeAdapter, NormalizedRecord, ParseOutcome } from '../types';
import { KrakenBook, type BookLevel } from './book-state';
import { KrakenFields } from './fields';
import { parseKeepingNumberText } from './json-text';
import { KRAKEN_BOOK_DEPTH, KRAKEN_OHLC_TIMEFRAMES, krakenStreamName } from './streams';
import { MINUTE_MS } from '../../util/time';

/**
 * Kraken WebSocket v2 messages → Bronze rows: ohlc → klines, trade → trades, book snapshot + updates → one
 * book_top10 row per message (and a quotes row when the top of book changed). The adapter keeps each symbol's
 * book and verifies Kraken's CRC32 after every message; on a mismatch it emits no row, asks for a resync and
 * ignores that symbol's updates until the next snapshot.
 */

const SPECS: Record<'klines' | 'trades' | 'book_top10' | 'quotes', DatasetSpec> = {
  klines: dataset('bronze', 'klines'),
  trades: dataset('bronze', 'trades'),
  book_top10: dataset('bronze', 'book_top10'),
  quotes: dataset('bronze', 'quotes'),
};

const LEVELS = 10;
const BID_PX = Array.from({ length: LEVELS }, (_, i) => `bid_px_${i + 1}`);
const BID_SZ = Array.from({ length: LEVELS }, (_, i) => `bid_sz_${i + 1}`);
const ASK_PX = Array.from({ length: LEVELS }, (_, i) => `ask_px_${i + 1}`);
const ASK_SZ = Array.from({ length: LEVELS }, (_, i) => `ask_sz_${i + 1}`);

// Guards the per-symbol state against a peer that invents symbols.
const SYMBOL_LIMIT = 10_000;

const V1 = 'Kraken WS v1 message';

interface SymbolBook {
  book: KrakenBook;
  /** Best bid/ask price and size of the last quotes row, to emit quotes only when the top changes. */
  top: [number, number, number, number] | null;
}

export interface ResyncDetail {
  symbol: string;
  stream: string;
  reason: 'checksum';
  expected: number;
  computed: number;
}

export interface KrakenAdapterOptions {
  /** Book depth subscribed (default 10): the book is truncated to it after every message, as Kraken requires. */
  bookDepth?: number;
}

export class KrakenAdapter implements ExchangeAdapter {
  readonly exchange = 'kraken' as const;
  private readonly fields = new KrakenFields();
  private readonly names = new ReasonNames();
  private readonly books = new Map<string, SymbolBook>();
  private readonly bookDepth: number;

  constructor(opts: KrakenAdapterOptions = {}) {
    this.bookDepth = opts.bookDepth ?? KRAKEN_BOOK_DEPTH;
  }

  /** Symbols whose book is in sync (a snapshot arrived and every checksum since matched). */
  get syncedBooks(): string[] {
    return [...this.books.keys()];
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
        if (type !== 'snapshot' && type !== 'update') return { kind: 'error', reason: `${channel}: field type is not snapshot or update` };
        if (!Array.isArray(msg.data)) return { kind: 'error', reason: `${channel}: field data is not an array` };
        if (channel === 'ohlc') return this.ohlc(msg, msg.data, receiveMs);
        if (channel === 'trade') return this.trades(msg.data, receiveMs);
        return this.book(msg.data, type === 'snapshot', receiveMs);
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
      return { kind: 'control', what: subscription ? 'subscribe_error' : 'error', detail: { method, error: msg.error, symbol: msg.symbol, req_id: msg.req_id } };
    }
    const result = isJsonObject(msg.result) ? msg.result : undefined;
    // Unsubscribing a book (the first half of a resync) makes its state stale until the next snapshot.
    if (method === 'unsubscribe' && result?.channel === 'book' && typeof result.symbol === 'string') this.books.delete(result.symbol.toUpperCase());
    if (method === 'pong') return { kind: 'control', what: 'pong', detail: { req_id: msg.req_id } };
    // The collector counts control messages by `what`: a method name from the peer goes through names.
    return { kind: 'control', what: this.names.name('method', method), detail: { result, req_id: msg.req_id } };
  }

  /**
   * Kraken candles carry no final flag: every update of an open candle becomes a row with is_closed false, and
   * Silver keeps the last version per open_time. `timestamp` of the message is the event time; the receive time
   * stands in when it is absent.
   */
  private ohlc(msg: Json, data: unknown[], receiveMs: number): ParseOutcome {
    const f = this.fields.reset();
    const eventTime = msg.timestamp === undefined ? receiveMs : f.time(msg, 'timestamp');
    const records: NormalizedRecord[] = [];
    let unstored: number | undefined;
    for (const c of data) {
      if (!isJsonObject(c)) return { kind: 'error', reason: 'ohlc: candle is not an object' };
      const symbol = f.symbol(c, 'symbol').toUpperCase();
      const interval = f.int(c, 'interval');
      if (f.problem) return { kind: 'error', reason: `ohlc: ${f.problem}` };
      const timeframe = KRAKEN_OHLC_TIMEFRAMES.get(interval);
      if (timeframe === undefined) {
        unstored = interval;
        continue;
      }
      const { base, quote } = baseQuote(symbol);
      const openTime = f.time(c, 'interval_begin');
      const volume = f.decimal(c, 'volume');
      const row: Row = {
        open_time: openTime,
        close_time: openTime + interval * MINUTE_MS - 1,
        open: f.decimal(c, 'open'),
        high: f.decimal(c, 'high'),
        low: f.decimal(c, 'low'),
        close: f.decimal(c, 'close'),
        volume,
        // vwap × volume is the quote volume up to vwap's rounding (Kraken prints it at about the pair's price
        // precision: at most half a tick per unit of volume), and it is the only place vwap survives in Bronze.
        quote_volume: f.decimal(c, 'vwap') * volume,
        trade_count: f.int(c, 'trades'),
        taker_buy_volume: null,
        taker_buy_quote_volume: null,
        is_closed: false,
        event_time: eventTime,
        base,
        quote,
        ingest_time: receiveMs,
        source: 'ws',
      };
      const problem = finish('klines', 'ohlc', f, row);
      if (problem) return { kind: 'error', reason: problem };
      records.push({ dataset: 'klines', symbol, timeframe, stream: krakenStreamName('ohlc', symbol, interval), row });
    }
    if (records.length === 0) {
      if (unstored === undefined) return { kind: 'skipped', reason: 'ohlc message without candles' };
      return { kind: 'skipped', reason: `ohlc interval ${this.names.name('interval', unstored)} is not a stored timeframe` };
    }
    return { kind: 'records', records };
  }

  /** `side` is the taker's: a sell hit the bid, so the buyer was the maker. */
  private trades(data: unknown[], receiveMs: number): ParseOutcome {
    const f = this.fields.reset();
    const records: NormalizedRecord[] = [];
    for (const t of data) {
      if (!isJsonObject(t)) return { kind: 'error', reason: 'trade: trade is not an object' };
      const symbol = f.symbol(t, 'symbol').toUpperCase();
      const side = f.str(t, 'side');
      if (!f.problem && side !== 'buy' && side !== 'sell') f.fail('field side is not buy or sell');
      const price = f.decimal(t, 'price');
      const qty = f.decimal(t, 'qty');
      const { base, quote } = baseQuote(symbol);
      const row: Row = {
        trade_id: f.int(t, 'trade_id'),
        event_time: f.time(t, 'timestamp'),
        price,
        qty,
        quote_qty: price * qty,
        is_buyer_maker: side === 'sell',
        base,
        quote,
        ingest_time: receiveMs,
        source: 'ws',
      };
      const problem = finish('trades', 'trade', f, row);
      if (problem) return { kind: 'error', reason: problem };
      records.push({ dataset: 'trades', symbol, stream: krakenStreamName('trade', symbol), row });
    }
    return records.length > 0 ? { kind: 'records', records } : { kind: 'skipped', reason: 'trade message without trades' };
  }

  /**
   * Snapshots replace the symbol's book, updates patch it. The event time is the update's `timestamp`; snapshots
   * carry none (as documented for v2), so the receive time stands in for them.
   */
  private book(data: unknown[], snapshot: boolean, receiveMs: number): ParseOutcome {
    const f = this.fields.reset();
    const records: NormalizedRecord[] = [];
    for (const e of data) {
      if (!isJsonObject(e)) return { kind: 'error', reason: 'book: entry is not an object' };
      const symbol = f.symbol(e, 'symbol').toUpperCase();
      const bids = this.levels(e, 'bids');
      const asks = this.levels(e, 'asks');
      const checksum = f.int(e, 'checksum');
      if (!f.problem && (checksum < 0 || checksum > 0xffffffff)) f.fail('field checksum is not an unsigned 32-bit integer');
      const eventTime = e.timestamp === undefined ? receiveMs : f.time(e, 'timestamp');
      // Everything is read before the book is touched, so a malformed message leaves the state as it was.
      if (f.problem) return { kind: 'error', reason: `book: ${f.problem}` };
      const stream = krakenStreamName('book', symbol, this.bookDepth);
      let state = this.books.get(symbol);
      if (snapshot) {
        if (!state && this.books.size >= SYMBOL_LIMIT) this.books.clear();
        state = { book: new KrakenBook(this.bookDepth), top: null };
        this.books.set(symbol, state);
      } else if (!state) {
        const name = this.names.name('symbol', symbol);
        return { kind: 'skipped', reason: `book update for ${name} before its snapshot (not subscribed yet, or waiting for a resync)` };
      }
      const book = state.book;
      for (const l of asks) book.set('ask', l);
      for (const l of bids) book.set('bid', l);
      book.truncate();
      const computed = book.checksum();
      if (computed !== checksum) {
        this.books.delete(symbol);
        const detail: ResyncDetail = { symbol, stream, reason: 'checksum', expected: checksum, computed };
        return { kind: 'control', what: 'resync', detail };
      }
      const row = this.bookRow(book, eventTime, symbol, receiveMs);
      const problem = finish('book_top10', 'book', f, row);
      if (problem) return { kind: 'error', reason: problem };
      records.push({ dataset: 'book_top10', symbol, stream, row });
      const quote = this.quoteRow(state, eventTime, symbol, receiveMs);
      if (quote) records.push({ dataset: 'quotes', symbol, stream, row: quote });
    }
    return records.length > 0 ? { kind: 'records', records } : { kind: 'skipped', reason: 'book message without entries' };
  }

  private levels(e: Json, key: string): BookLevel[] {
    const f = this.fields;
    const side = e[key];
    if (side === undefined) return [];
    if (!Array.isArray(side)) {
      f.fail(`field ${key} is not an array`);
      return [];
    }
    const out: BookLevel[] = [];
    for (const l of side) {
      if (!isJsonObject(l)) {
        f.fail(`${key} holds a level that is not an object`);
        return [];
      }
      const price = f.decimalText(l, 'price');
      const qty = f.decimalText(l, 'qty');
      const px = +price;
      const sz = +qty;
      if (!f.problem && !(px > 0 && sz >= 0)) f.fail(`${key} holds a level whose price is not > 0 or whose qty is below 0`);
      out.push({ price, qty, px, sz });
    }
    return out;
  }

  /** Kraken has no book sequence number, so last_update_id is null. */
  private bookRow(book: KrakenBook, eventTime: number, symbol: string, receiveMs: number): Row {
    const { base, quote } = baseQuote(symbol);
    const row: Row = { event_time: eventTime, last_update_id: null };
    for (let i = 0; i < LEVELS; i++) {
      const b = book.bids[i];
      const a = book.asks[i];
      row[BID_PX[i]] = b ? b.px : null;
      row[BID_SZ[i]] = b ? b.sz : null;
      row[ASK_PX[i]] = a ? a.px : null;
      row[ASK_SZ[i]] = a ? a.sz : null;
    }
    row.base = base;
    row.quote = quote;
    row.ingest_time = receiveMs;
    row.source = 'ws';
    return row;
  }

  /** A quotes row when best bid or ask (price or size) changed since the last one; none while a side is empty. */
  private quoteRow(state: SymbolBook, eventTime: number, symbol: string, receiveMs: number): Row | null {
    const b = state.book.bids[0];
    const a = state.book.asks[0];
    if (!b || !a) return null;
    const top = state.top;
    if (top && top[0] === b.px && top[1] === b.sz && top[2] === a.px && top[3] === a.sz) return null;
    state.top = [b.px, b.sz, a.px, a.sz];
    const { base, quote } = baseQuote(symbol);
    return {
      event_time: eventTime, update_id: null, bid_px: b.px, bid_sz: b.sz, ask_px: a.px, ask_sz: a.sz,
      base, quote, ingest_time: receiveMs, source: 'ws',
    };
  }
}

function finish(name: keyof typeof SPECS, what: string, f: KrakenFields, row: Row): string | null {
  if (f.problem) return `${what}: ${f.problem}`;
  const problem = rowProblem(SPECS[name], row);
  return problem ? `${what}: ${problem}` : null;
}
