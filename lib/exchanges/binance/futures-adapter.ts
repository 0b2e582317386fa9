import { KLINE_TIMEFRAMES } from '../../schema/columns';
import { dataset } from '../../schema/registry';
import type { DatasetSpec, Row } from '../../schema/types';
import { validateRow } from '../../schema/validate';
import { baseQuote } from '../symbols';
import type { ExchangeAdapter, NormalizedRecord, ParseOutcome } from '../types';
import { FieldReader, isJsonObject, toDecimal, type Json } from './field-reader';
import { parseFuturesStreamName } from './futures-streams';

/**
 * Binance USD-M perpetual WebSocket messages → Bronze rows (klines, trades, book_top10, quotes, funding,
 * liquidations). Accepts combined-stream envelopes `{"stream","data"}` and raw payloads as sent on `/ws`.
 * Unlike spot, every futures payload carries its symbol and event time, but partial and diff depth share the
 * `depthUpdate` event: only the stream name tells them apart.
 */

type Mapped = 'klines' | 'trades' | 'book_top10' | 'quotes' | 'funding' | 'liquidations';

const SPECS: Record<Mapped, DatasetSpec> = {
  klines: dataset('bronze', 'klines'),
  trades: dataset('bronze', 'trades'),
  book_top10: dataset('bronze', 'book_top10'),
  quotes: dataset('bronze', 'quotes'),
  funding: dataset('bronze', 'funding'),
  liquidations: dataset('bronze', 'liquidations'),
};

const STORED_TIMEFRAMES: ReadonlySet<string> = new Set(KLINE_TIMEFRAMES);
const BOOK_LEVELS = 10;
const SYMBOL_CACHE_LIMIT = 10_000;

export const FUTURES_SKIP_REASONS = {
  aggTrade: 'aggTrade is not collected: trades come from the trade stream',
  diffDepth: 'diff depth (depthUpdate on a depth@ stream) is not collected: book_top10 comes from the depth10@100ms stream',
  depthWithoutStream: 'depthUpdate without a stream name: partial and diff depth look alike, so it cannot be filed',
  nonMarketTrade: 'trade is not a MARKET trade (insurance fund or ADL fill): not market activity',
  noFunding: 'markPriceUpdate without a funding rate (a delivery contract, not a perpetual)',
} as const;

interface SymbolStreams {
  base: string;
  quote: string;
  trade: string;
  bookTicker: string;
  markPrice: string;
  forceOrder: string;
  kline: Map<string, string>;
}

export class BinanceFuturesAdapter implements ExchangeAdapter {
  readonly exchange = 'binance-futures' as const;
  private readonly fields = new FieldReader();
  private readonly symbols = new Map<string, SymbolStreams>();
  private readonly bidLevels: (number | null)[] = new Array(2 * BOOK_LEVELS).fill(null);
  private readonly askLevels: (number | null)[] = new Array(2 * BOOK_LEVELS).fill(null);

  /** `stream` names the stream of a raw payload when the caller knows it (a `/ws/<stream>` connection). */
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

  private payload(p: unknown, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (!isJsonObject(p)) return { kind: 'error', reason: 'payload is not a JSON object' };
    const e = p.e;
    if (typeof e === 'string') {
      switch (e) {
        case 'kline':
          return this.kline(p, stream, receiveMs);
        case 'trade':
          return this.trade(p, stream, receiveMs);
        case 'depthUpdate':
          return this.depth(p, stream, receiveMs);
        case 'bookTicker':
          return this.bookTicker(p, stream, receiveMs);
        case 'markPriceUpdate':
          return this.markPrice(p, stream, receiveMs);
        case 'forceOrder':
          return this.forceOrder(p, stream, receiveMs);
        case 'aggTrade':
          return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.aggTrade };
        default:
          return { kind: 'skipped', reason: `event ${e} is not collected` };
      }
    }
    // The REST depth snapshot some recorders store inline with the stream.
    if ('lastUpdateId' in p) return { kind: 'skipped', reason: 'REST depth snapshot: book_top10 comes from the depth10@100ms stream' };
    if ('error' in p) return { kind: 'control', what: 'error', detail: p };
    if ('result' in p && 'id' in p) return { kind: 'control', what: 'response', detail: p };
    if ('method' in p) return { kind: 'skipped', reason: `client request ${String(p.method)}, not a server message` };
    return { kind: 'error', reason: 'unrecognized message' };
  }

  private kline(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const k = p.k;
    if (!isJsonObject(k)) return { kind: 'error', reason: 'kline: field k is missing' };
    const f = this.fields.reset();
    const symbol = f.str(p, 's');
    const timeframe = f.str(k, 'i');
    if (f.problem) return { kind: 'error', reason: `kline: ${f.problem}` };
    if (!STORED_TIMEFRAMES.has(timeframe)) return { kind: 'skipped', reason: `kline interval ${timeframe} is not a stored timeframe` };
    const s = this.symbolStreams(symbol);
    const row: Row = {
      open_time: f.int(k, 't'),
      close_time: f.int(k, 'T'),
      open: f.decimal(k, 'o'),
      high: f.decimal(k, 'h'),
      low: f.decimal(k, 'l'),
      close: f.decimal(k, 'c'),
      volume: f.decimal(k, 'v'),
      quote_volume: f.decimal(k, 'q'),
      trade_count: f.int(k, 'n'),
      taker_buy_volume: f.decimal(k, 'V'),
      taker_buy_quote_volume: f.decimal(k, 'Q'),
      is_closed: f.bool(k, 'x'),
      event_time: f.int(p, 'E'),
      base: s.base,
      quote: s.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    let name = stream ?? s.kline.get(timeframe);
    if (name === undefined) {
      name = `${symbol.toLowerCase()}@kline_${timeframe}`;
      s.kline.set(timeframe, name);
    }
    return this.finish('klines', 'kline', f, { dataset: 'klines', symbol: symbol.toUpperCase(), timeframe, stream: name, row });
  }

  /**
   * USD-M trade payloads say who made the trade in `X`: MARKET for order-book matches, INSURANCE_FUND or ADL
   * for the exchange's own closing fills, which are not market activity. Payloads without `X` (the docs'
   * example, older recordings) are order-book trades.
   */
  private trade(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (p.X !== undefined && p.X !== 'MARKET') return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.nonMarketTrade };
    const f = this.fields.reset();
    const symbol = f.str(p, 's');
    const price = f.decimal(p, 'p');
    const qty = f.decimal(p, 'q');
    const s = this.symbolStreams(symbol);
    const row: Row = {
      trade_id: f.int(p, 't'),
      event_time: f.int(p, 'T'),
      price,
      qty,
      quote_qty: price * qty,
      is_buyer_maker: f.bool(p, 'm'),
      base: s.base,
      quote: s.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    return this.finish('trades', 'trade', f, { dataset: 'trades', symbol: symbol.toUpperCase(), stream: stream ?? s.trade, row });
  }

  /** bookTicker carries both `E` (event) and `T` (transaction) time; `E` is kept, as for every other stream. */
  private bookTicker(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const f = this.fields.reset();
    const symbol = f.str(p, 's');
    const s = this.symbolStreams(symbol);
    const row: Row = {
      event_time: p.E !== undefined ? f.int(p, 'E') : p.T !== undefined ? f.int(p, 'T') : receiveMs,
      update_id: f.int(p, 'u'),
      bid_px: f.decimal(p, 'b'),
      bid_sz: f.decimal(p, 'B'),
      ask_px: f.decimal(p, 'a'),
      ask_sz: f.decimal(p, 'A'),
      base: s.base,
      quote: s.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    return this.finish('quotes', 'bookTicker', f, { dataset: 'quotes', symbol: symbol.toUpperCase(), stream: stream ?? s.bookTicker, row });
  }

  /** Partial depth (`depth10@100ms`) → book_top10; diff depth (`depth@100ms`, `depth@0ms`) is skipped. */
  private depth(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (stream === undefined) return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.depthWithoutStream };
    const info = parseFuturesStreamName(stream);
    if (info?.channel === 'diffDepth') return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.diffDepth };
    if (info?.channel !== 'partialDepth') return { kind: 'skipped', reason: `depthUpdate on stream ${stream}, which is not a depth stream` };
    const { b: bids, a: asks } = p;
    if (!Array.isArray(bids) || !Array.isArray(asks)) return { kind: 'error', reason: 'depth: b or a is not an array' };
    const f = this.fields.reset();
    const symbol = f.str(p, 's');
    const b = this.levels(bids, 'b', this.bidLevels);
    const a = this.levels(asks, 'a', this.askLevels);
    const { base, quote } = this.symbolStreams(symbol);
    // One literal: an object built by 40 computed-key stores is several times slower to create.
    const row: Row = {
      event_time: f.int(p, 'E'), last_update_id: f.int(p, 'u'),
      bid_px_1: b[0], bid_sz_1: b[1], bid_px_2: b[2], bid_sz_2: b[3], bid_px_3: b[4], bid_sz_3: b[5], bid_px_4: b[6], bid_sz_4: b[7],
      bid_px_5: b[8], bid_sz_5: b[9], bid_px_6: b[10], bid_sz_6: b[11], bid_px_7: b[12], bid_sz_7: b[13], bid_px_8: b[14], bid_sz_8: b[15],
      bid_px_9: b[16], bid_sz_9: b[17], bid_px_10: b[18], bid_sz_10: b[19],
      ask_px_1: a[0], ask_sz_1: a[1], ask_px_2: a[2], ask_sz_2: a[3], ask_px_3: a[4], ask_sz_3: a[5], ask_px_4: a[6], ask_sz_4: a[7],
      ask_px_5: a[8], ask_sz_5: a[9], ask_px_6: a[10], ask_sz_6: a[11], ask_px_7: a[12], ask_sz_7: a[13], ask_px_8: a[14], ask_sz_8: a[15],
      ask_px_9: a[16], ask_sz_9: a[17], ask_px_10: a[18], ask_sz_10: a[19],
      base, quote, ingest_time: receiveMs, source: 'ws',
    };
    return this.finish('book_top10', 'depth', f, { dataset: 'book_top10', symbol: symbol.toUpperCase(), stream, row });
  }

  /** `markPrice@1s` → funding. A delivery contract sends `r: ""`, `T: 0`: it has no funding to record. */
  private markPrice(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    if (p.r === '') return { kind: 'skipped', reason: FUTURES_SKIP_REASONS.noFunding };
    const f = this.fields.reset();
    const symbol = f.str(p, 's');
    const s = this.symbolStreams(symbol);
    const next = p.T === 0 || p.T === undefined ? null : f.int(p, 'T');
    const row: Row = {
      event_time: f.int(p, 'E'),
      mark_price: f.decimal(p, 'p'),
      index_price: p.i === undefined || p.i === '' ? null : f.decimal(p, 'i'),
      funding_rate: f.decimal(p, 'r'),
      next_funding_time: next,
      base: s.base,
      quote: s.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    return this.finish('funding', 'markPriceUpdate', f, { dataset: 'funding', symbol: symbol.toUpperCase(), stream: stream ?? s.markPrice, row });
  }

  /**
   * `forceOrder` → liquidations. The event time is the order's trade time `o.T`, not the frame's `E`: Binance
   * pushes at most one liquidation per symbol per second, so `E` is when the snapshot was sent and can trail the
   * liquidation itself; `E` stands in only when `o.T` is absent. An unfilled average price ("0") is null.
   */
  private forceOrder(p: Json, stream: string | undefined, receiveMs: number): ParseOutcome {
    const o = p.o;
    if (!isJsonObject(o)) return { kind: 'error', reason: 'forceOrder: field o is missing' };
    const f = this.fields.reset();
    const symbol = f.str(o, 's');
    const s = this.symbolStreams(symbol);
    const avg = o.ap === undefined ? null : f.decimal(o, 'ap');
    const row: Row = {
      event_time: o.T !== undefined ? f.int(o, 'T') : f.int(p, 'E'),
      side: f.str(o, 'S'),
      price: f.decimal(o, 'p'),
      qty: f.decimal(o, 'q'),
      avg_price: avg === 0 ? null : avg,
      status: o.X === undefined ? null : f.str(o, 'X'),
      filled_qty: o.z === undefined ? null : f.decimal(o, 'z'),
      base: s.base,
      quote: s.quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    return this.finish('liquidations', 'forceOrder', f, { dataset: 'liquidations', symbol: symbol.toUpperCase(), stream: stream ?? s.forceOrder, row });
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

  private finish(name: Mapped, what: string, f: FieldReader, record: NormalizedRecord): ParseOutcome {
    if (f.problem) return { kind: 'error', reason: `${what}: ${f.problem}` };
    const problem = validateRow(SPECS[name], record.row);
    if (problem) return { kind: 'error', reason: `${what}: ${problem}` };
    return { kind: 'records', records: [record] };
  }

  /** Per-symbol constants (base/quote, canonical stream names), computed once per symbol seen. */
  private symbolStreams(symbol: string): SymbolStreams {
    let s = this.symbols.get(symbol);
    if (!s) {
      if (this.symbols.size >= SYMBOL_CACHE_LIMIT) this.symbols.clear();
      const lower = symbol.toLowerCase();
      s = {
        ...baseQuote(symbol.toUpperCase()),
        trade: `${lower}@trade`,
        bookTicker: `${lower}@bookTicker`,
        markPrice: `${lower}@markPrice@1s`,
        forceOrder: `${lower}@forceOrder`,
        kline: new Map(),
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }
}
