import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { isJsonObject, type Json } from '../binance/field-reader';
import type { ReasonNames } from '../reasons';
import { baseQuote } from '../symbols';
import type { NormalizedRecord, ParseOutcome } from '../types';
import { KrakenBook, type BookLevel } from './book-state';
import type { KrakenFields } from './fields';
import { rowRefusal } from './row-refusal';
import { krakenStreamName } from './streams';

/**
 * Kraken v2 `book` messages → one Bronze book_top10 row per message, and a quotes row when the top of book
 * changed. It keeps each symbol's book and verifies Kraken's CRC32 after every message; on a mismatch it emits no
 * row, asks for a resync and ignores that symbol's updates until the next snapshot.
 */

const BOOK_TOP10 = dataset('bronze', 'book_top10');

const LEVELS = 10;
const BID_PX = Array.from({ length: LEVELS }, (_, i) => `bid_px_${i + 1}`);
const BID_SZ = Array.from({ length: LEVELS }, (_, i) => `bid_sz_${i + 1}`);
const ASK_PX = Array.from({ length: LEVELS }, (_, i) => `ask_px_${i + 1}`);
const ASK_SZ = Array.from({ length: LEVELS }, (_, i) => `ask_sz_${i + 1}`);

// Guards the per-symbol state against a peer that invents symbols.
const SYMBOL_LIMIT = 10_000;

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

export class KrakenBookMapper {
  private readonly books = new Map<string, SymbolBook>();

  constructor(
    private readonly fields: KrakenFields,
    private readonly names: ReasonNames,
    private readonly bookDepth: number,
  ) {}

  /** Symbols whose book is in sync (a snapshot arrived and every checksum since matched). */
  get syncedBooks(): string[] {
    return [...this.books.keys()];
  }

  /** Forgets a symbol's book: it is stale until the next snapshot. */
  forget(symbol: string): void {
    this.books.delete(symbol);
  }

  /**
   * Snapshots replace the symbol's book, updates patch it. The event time is the update's `timestamp`; snapshots
   * carry none (as documented for v2), so the receive time stands in for them.
   */
  map(data: unknown[], snapshot: boolean, receiveMs: number): ParseOutcome {
    const read = this.fields.reset();
    const records: NormalizedRecord[] = [];
    for (const entry of data) {
      if (!isJsonObject(entry)) return { kind: 'error', reason: 'book: entry is not an object' };
      const symbol = read.symbol(entry, 'symbol').toUpperCase();
      const bids = this.levels(entry, 'bids');
      const asks = this.levels(entry, 'asks');
      const checksum = read.int(entry, 'checksum');
      if (!read.problem && (checksum < 0 || checksum > 0xffffffff)) read.fail('field checksum is not an unsigned 32-bit integer');
      const eventTime = entry.timestamp === undefined ? receiveMs : read.time(entry, 'timestamp');
      // Everything is read before the book is touched, so a malformed message leaves the state as it was.
      if (read.problem) return { kind: 'error', reason: `book: ${read.problem}` };
      const stream = krakenStreamName('book', symbol, this.bookDepth);
      let state = this.books.get(symbol);
      if (snapshot) {
        if (!state && this.books.size >= SYMBOL_LIMIT) this.books.clear();
        state = { book: new KrakenBook(this.bookDepth), top: null };
        this.books.set(symbol, state);
      } else if (!state) {
        const name = this.names.name('symbol', symbol);
        return {
          kind: 'skipped',
          reason: `book update for ${name} before its snapshot (not subscribed yet, or waiting for a resync)`,
        };
      }
      const book = state.book;
      for (const level of asks) book.set('ask', level);
      for (const level of bids) book.set('bid', level);
      book.truncate();
      const computed = book.checksum();
      if (computed !== checksum) {
        this.books.delete(symbol);
        const detail: ResyncDetail = { symbol, stream, reason: 'checksum', expected: checksum, computed };
        return { kind: 'control', what: 'resync', detail };
      }
      const row = this.bookRow(book, eventTime, symbol, receiveMs);
      const problem = rowRefusal(BOOK_TOP10, 'book', read, row);
      if (problem) return { kind: 'error', reason: problem };
      records.push({ dataset: 'book_top10', symbol, stream, row });
      const quote = this.quoteRow(state, eventTime, symbol, receiveMs);
      if (quote) records.push({ dataset: 'quotes', symbol, stream, row: quote });
    }
    return records.length > 0 ? { kind: 'records', records } : { kind: 'skipped', reason: 'book message without entries' };
  }

  private levels(entry: Json, key: string): BookLevel[] {
    const read = this.fields;
    const side = entry[key];
    if (side === undefined) return [];
    if (!Array.isArray(side)) {
      read.fail(`field ${key} is not an array`);
      return [];
    }
    const out: BookLevel[] = [];
    for (const level of side) {
      if (!isJsonObject(level)) {
        read.fail(`${key} holds a level that is not an object`);
        return [];
      }
      const price = read.decimalText(level, 'price');
      const qty = read.decimalText(level, 'qty');
      const px = +price;
      const sz = +qty;
      if (!read.problem && !(px > 0 && sz >= 0)) read.fail(`${key} holds a level whose price is not > 0 or whose qty is below 0`);
      out.push({ price, qty, px, sz });
    }
    return out;
  }

  /** Kraken has no book sequence number, so last_update_id is null. */
  private bookRow(book: KrakenBook, eventTime: number, symbol: string, receiveMs: number): Row {
    const { base, quote } = baseQuote(symbol);
    const row: Row = { event_time: eventTime, last_update_id: null };
    for (let i = 0; i < LEVELS; i++) {
      const bid = book.bids[i];
      const ask = book.asks[i];
      row[BID_PX[i]] = bid ? bid.px : null;
      row[BID_SZ[i]] = bid ? bid.sz : null;
      row[ASK_PX[i]] = ask ? ask.px : null;
      row[ASK_SZ[i]] = ask ? ask.sz : null;
    }
    row.base = base;
    row.quote = quote;
    row.ingest_time = receiveMs;
    row.source = 'ws';
    return row;
  }

  /** A quotes row when best bid or ask (price or size) changed since the last one; none while a side is empty. */
  private quoteRow(state: SymbolBook, eventTime: number, symbol: string, receiveMs: number): Row | null {
    const bid = state.book.bids[0];
    const ask = state.book.asks[0];
    if (!bid || !ask) return null;
    const top = state.top;
    if (top && top[0] === bid.px && top[1] === bid.sz && top[2] === ask.px && top[3] === ask.sz) return null;
    state.top = [bid.px, bid.sz, ask.px, ask.sz];
    const { base, quote } = baseQuote(symbol);
    return {
      event_time: eventTime,
      update_id: null,
      bid_px: bid.px,
      bid_sz: bid.sz,
      ask_px: ask.px,
      ask_sz: ask.sz,
      base,
      quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
  }
}
