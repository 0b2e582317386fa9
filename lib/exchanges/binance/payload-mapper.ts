import { KLINE_TIMEFRAMES } from '../../schema/columns';
import { dataset } from '../../schema/registry';
import type { DatasetSpec, Row } from '../../schema/types';
import { ReasonNames, rowProblem } from '../reasons';
import { baseQuote } from '../symbols';
import type { BronzeDatasetName, NormalizedRecord, ParseOutcome } from '../types';
import { FieldReader, isJsonObject, toDecimal, type Json } from './field-reader';
import { binanceStream, klineStream, type BinanceMarket } from './market';

/**
 * What Binance spot and USD-M futures payloads share: the envelope, the event table that dispatches on `e`, kline,
 * trade and bookTicker fields, the book-level arrays, per-symbol stream names and the final validation. Each
 * market's adapter extends the table with its own events (futures depthUpdate, markPrice, forceOrder) and maps
 * the payloads that carry no event type (spot partial depth, without symbol or time).
 */

const STORED_TIMEFRAMES: ReadonlySet<string> = new Set(KLINE_TIMEFRAMES);
const BOOK_LEVELS = 10;
// Guards the per-symbol cache against a peer that invents symbols.
const SYMBOL_CACHE_LIMIT = 10_000;

const SPECS = new Map<string, DatasetSpec>();
function spec(name: BronzeDatasetName): DatasetSpec {
  let s = SPECS.get(name);
  if (!s) SPECS.set(name, (s = dataset('bronze', name)));
  return s;
}

export const streamMismatch = (channel: string) => `the stream name does not name this payload's symbol and ${channel} stream`;

/** Neither market's trades are collected from aggTrade. */
export const AGG_TRADE_SKIPPED = 'aggTrade is not collected: trades come from the trade stream';

/** Maps the payload of one event type; `stream` is the stream it came on, when known. */
export type EventMapper = (payload: Json, stream: string | undefined, receiveMs: number) => ParseOutcome;

/** Canonical stream names of one symbol; empty where the market streams no such dataset (spot: funding, liquidations). */
export interface SymbolStreams {
  base: string;
  quote: string;
  trade: string;
  bookTicker: string;
  markPrice: string;
  forceOrder: string;
  kline: Map<string, string>;
}

/** Symbol, channel and kline interval a stream name names; null when it names none. */
export type StreamInfo = (name: string) => { symbol: string; channel: string; interval?: string } | null;

export abstract class BinancePayloadMapper {
  protected readonly fields = new FieldReader();
  protected readonly names = new ReasonNames();
  private readonly symbols = new Map<string, SymbolStreams>();
  private readonly bidLevels: (number | null)[] = new Array<number | null>(2 * BOOK_LEVELS).fill(null);
  private readonly askLevels: (number | null)[] = new Array<number | null>(2 * BOOK_LEVELS).fill(null);

  /** `market` names the streams records are filed under; `streamInfo` reads the names messages come with. */
  protected constructor(
    private readonly market: BinanceMarket,
    private readonly streamInfo: StreamInfo,
  ) {}

  /**
   * Map one message: a combined-stream envelope `{"stream","data"}` or a raw payload as sent on `/ws`.
   * `stream` names the stream of a raw payload when the caller knows it (a `/ws/<stream>` connection).
   */
  parse(raw: string, receiveMs: number, stream?: string): ParseOutcome {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return { kind: 'error', reason: 'not JSON' };
    }
    if (!isJsonObject(msg)) return { kind: 'error', reason: 'not a JSON object' };
    if (typeof msg.stream === 'string' && 'data' in msg) return this.payload(msg.data, msg.stream, receiveMs);
    return this.payload(msg, stream, receiveMs);
  }

  /**
   * What each collected event type (`e`) maps to. Both markets' kline, trade and bookTicker payloads share their
   * fields; a market adds its own events in its constructor, and overrides a mapper to tell its payloads apart.
   */
  protected readonly events = new Map<string, EventMapper>([
    ['kline', (p, stream, receiveMs) => this.kline(p, stream, receiveMs)],
    ['trade', (p, stream, receiveMs) => this.trade(p, stream, receiveMs)],
    ['bookTicker', (p, stream, receiveMs) => this.bookTicker(p, stream, receiveMs)],
  ]);

  /** Why an event type that is not collected is skipped, where there is more to say than that. */
  protected readonly skippedEvents = new Map<string, string>([['aggTrade', AGG_TRADE_SKIPPED]]);

  private payload(data: unknown, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (!isJsonObject(data)) return { kind: 'error', reason: 'payload is not a JSON object' };
    const error = data.e;
    if (typeof error === 'string') {
      const mapper = this.events.get(error);
      if (mapper) return mapper(data, stream, receiveMs);
      return {
        kind: 'skipped',
        reason: this.skippedEvents.get(error) ?? `event ${this.names.name('event', error)} is not collected`,
      };
    }
    return this.untyped(data, stream, receiveMs) ?? this.protocol(data) ?? { kind: 'error', reason: 'unrecognized message' };
  }

  /** A payload without an event type that this market sends; undefined when it is none of them. */
  protected abstract untyped(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome | undefined;

  /**
   * The stream a record is filed under: the one the message came on when that names the payload's own symbol
   * and channel, the canonical name when the message came without one. A frame whose stream name disagrees with
   * its payload (garbled, or another stream's) fails `f`: filed under a name nobody subscribed to, it would show
   * as a stream of its own, later "silent", and the collector would reconnect for it.
   */
  protected recordStream(
    read: FieldReader,
    given: string | undefined,
    symbol: string,
    channel: string,
    canonical: string,
    interval?: string,
  ): string {
    if (given === undefined || given === canonical) return canonical;
    const info = this.streamInfo(given);
    if (!info || info.symbol !== symbol.toUpperCase() || info.channel !== channel || info.interval !== interval) {
      read.fail(streamMismatch(channel));
    }
    return given;
  }

  /** Messages that are not market data: responses to our requests and echoes of them. */
  protected protocol(payload: Json): ParseOutcome | undefined {
    if ('error' in payload) return { kind: 'control', what: 'error', detail: payload };
    if ('result' in payload && 'id' in payload) return { kind: 'control', what: 'response', detail: payload };
    if ('method' in payload)
      return { kind: 'skipped', reason: `client request ${this.names.name('method', payload.method)}, not a server message` };
    return undefined;
  }

  protected kline(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const k = payload.k;
    if (!isJsonObject(k)) return { kind: 'error', reason: 'kline: field k is missing' };
    const read = this.fields.reset();
    const symbol = read.symbol(payload, 's');
    const timeframe = read.str(k, 'i');
    if (read.problem) return { kind: 'error', reason: `kline: ${read.problem}` };
    if (!STORED_TIMEFRAMES.has(timeframe)) {
      return { kind: 'skipped', reason: `kline interval ${this.names.name('interval', timeframe)} is not a stored timeframe` };
    }
    const streams = this.symbolStreams(symbol);
    const row: Row = {
      open_time: read.time(k, 't'),
      close_time: read.time(k, 'T'),
      open: read.decimal(k, 'o'),
      high: read.decimal(k, 'h'),
      low: read.decimal(k, 'l'),
      close: read.decimal(k, 'c'),
      volume: read.decimal(k, 'v'),
      quote_volume: read.decimal(k, 'q'),
      trade_count: read.int(k, 'n'),
      taker_buy_volume: read.decimal(k, 'V'),
      taker_buy_quote_volume: read.decimal(k, 'Q'),
      is_closed: read.bool(k, 'x'),
      event_time: read.time(payload, 'E'),
      base: streams.base,
      quote: streams.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    let canonical = streams.kline.get(timeframe);
    if (canonical === undefined) {
      canonical = klineStream(symbol, timeframe);
      streams.kline.set(timeframe, canonical);
    }
    const name = this.recordStream(read, stream, symbol, 'kline', canonical, timeframe);
    return this.finish('klines', 'kline', read, {
      dataset: 'klines',
      symbol: symbol.toUpperCase(),
      timeframe,
      stream: name,
      row,
    });
  }

  protected trade(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const read = this.fields.reset();
    const symbol = read.symbol(payload, 's');
    const price = read.decimal(payload, 'p');
    const qty = read.decimal(payload, 'q');
    const streams = this.symbolStreams(symbol);
    const row: Row = {
      trade_id: read.int(payload, 't'),
      event_time: read.time(payload, 'T'),
      price,
      qty,
      quote_qty: price * qty,
      is_buyer_maker: read.bool(payload, 'm'),
      base: streams.base,
      quote: streams.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const name = this.recordStream(read, stream, symbol, 'trade', streams.trade);
    return this.finish('trades', 'trade', read, { dataset: 'trades', symbol: symbol.toUpperCase(), stream: name, row });
  }

  /**
   * Spot bookTicker has no event time (the receive time stands in); futures payloads carry `E` (event) and `T`
   * (transaction): `E` is kept, as for every other stream, `T` when `E` is absent.
   */
  protected bookTicker(payload: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const read = this.fields.reset();
    const symbol = read.symbol(payload, 's');
    const streams = this.symbolStreams(symbol);
    const row: Row = {
      event_time:
        payload.E !== undefined ? read.time(payload, 'E') : payload.T !== undefined ? read.time(payload, 'T') : receiveMs,
      update_id: read.int(payload, 'u'),
      bid_px: read.decimal(payload, 'b'),
      bid_sz: read.decimal(payload, 'B'),
      ask_px: read.decimal(payload, 'a'),
      ask_sz: read.decimal(payload, 'A'),
      base: streams.base,
      quote: streams.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const name = this.recordStream(read, stream, symbol, 'bookTicker', streams.bookTicker);
    return this.finish('quotes', 'bookTicker', read, { dataset: 'quotes', symbol: symbol.toUpperCase(), stream: name, row });
  }

  /** A book_top10 record from `[price, size]` level arrays; `null` levels beyond the book's depth. */
  protected book(
    bids: unknown[],
    asks: unknown[],
    names: [string, string],
    at: { symbol: string; stream: string; eventTime: number; lastUpdateId: number },
    receiveMs: number,
  ): ParseOutcome {
    const read = this.fields;
    const b = this.levels(bids, names[0], this.bidLevels);
    const a = this.levels(asks, names[1], this.askLevels);
    const { base, quote } = baseQuote(at.symbol);
    // Written out as one literal: an object built by 40 computed-key stores is several times slower to create.
    const row: Row = {
      event_time: at.eventTime,
      last_update_id: at.lastUpdateId,
      bid_px_1: b[0],
      bid_sz_1: b[1],
      bid_px_2: b[2],
      bid_sz_2: b[3],
      bid_px_3: b[4],
      bid_sz_3: b[5],
      bid_px_4: b[6],
      bid_sz_4: b[7],
      bid_px_5: b[8],
      bid_sz_5: b[9],
      bid_px_6: b[10],
      bid_sz_6: b[11],
      bid_px_7: b[12],
      bid_sz_7: b[13],
      bid_px_8: b[14],
      bid_sz_8: b[15],
      bid_px_9: b[16],
      bid_sz_9: b[17],
      bid_px_10: b[18],
      bid_sz_10: b[19],
      ask_px_1: a[0],
      ask_sz_1: a[1],
      ask_px_2: a[2],
      ask_sz_2: a[3],
      ask_px_3: a[4],
      ask_sz_3: a[5],
      ask_px_4: a[6],
      ask_sz_4: a[7],
      ask_px_5: a[8],
      ask_sz_5: a[9],
      ask_px_6: a[10],
      ask_sz_6: a[11],
      ask_px_7: a[12],
      ask_sz_7: a[13],
      ask_px_8: a[14],
      ask_sz_8: a[15],
      ask_px_9: a[16],
      ask_sz_9: a[17],
      ask_px_10: a[18],
      ask_sz_10: a[19],
      base,
      quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    return this.finish('book_top10', 'depth', read, { dataset: 'book_top10', symbol: at.symbol, stream: at.stream, row });
  }

  /** Price and size of the top 10 levels into `out` (null beyond the book's depth). */
  private levels(side: unknown[], name: string, out: (number | null)[]): (number | null)[] {
    for (let i = 0; i < BOOK_LEVELS; i++) {
      const level = side[i];
      if (level === undefined) {
        out[2 * i] = out[2 * i + 1] = null;
        continue;
      }
      const px = Array.isArray(level) ? toDecimal(level[0]) : NaN;
      const sz = Array.isArray(level) ? toDecimal(level[1]) : NaN;
      if (px !== px || sz !== sz) this.fields.fail(`${name}[${i}] is not a [price, size] pair of decimals`);
      out[2 * i] = px;
      out[2 * i + 1] = sz;
    }
    return out;
  }

  protected finish(name: BronzeDatasetName, what: string, read: FieldReader, record: NormalizedRecord): ParseOutcome {
    if (read.problem) return { kind: 'error', reason: `${what}: ${read.problem}` };
    const problem = rowProblem(spec(name), record.row);
    if (problem) return { kind: 'error', reason: `${what}: ${problem}` };
    return { kind: 'records', records: [record] };
  }

  /** Per-symbol constants (base/quote, canonical stream names), computed once per symbol seen. */
  protected symbolStreams(symbol: string): SymbolStreams {
    let streams = this.symbols.get(symbol);
    if (!streams) {
      if (this.symbols.size >= SYMBOL_CACHE_LIMIT) this.symbols.clear();
      const { datasets } = this.market;
      const stream = (channel: string | undefined) => (channel === undefined ? '' : binanceStream(symbol, channel));
      streams = {
        ...baseQuote(symbol.toUpperCase()),
        trade: stream(datasets.trades),
        bookTicker: stream(datasets.quotes),
        markPrice: stream(datasets.funding),
        forceOrder: stream(datasets.liquidations),
        kline: new Map(),
      };
      this.symbols.set(symbol, streams);
    }
    return streams;
  }
}
