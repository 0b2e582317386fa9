import { baseQuote } from '../../exchanges/symbols';
import { dataset } from '../../schema/registry';
import type { DatasetSpec } from '../../schema/types';
import { Table, type ColumnData } from '../../table/table';
import { BOOK_DEPTH, TICK_MS } from '../market/book';
import type { InstrumentSpec } from '../market/instruments';
import { MarketModel } from '../market/market-model';
import { MINUTE_MS } from '../../util/time';
import type { SymbolMarket } from '../market/symbol-market';
import { TradeWalker } from '../market/trade-walker';

/**
 * Bronze rows straight from the market model, with no server or adapter in between: the rows the collector
 * writes for the simulator's trade and depth10@100ms streams (same values; ingest time = event time + lag).
 * They come as columnar Tables (registry column names; `table.row(i)` for one row as an object), because
 * building a million 46-key row objects costs more than generating the market itself.
 */

export interface OfflineOptions {
  /** Seed of a fresh model anchored at `fromMs` (default 1); ignored when `model` is given. */
  seed?: number;
  /** Generate from an existing model, e.g. the one a running simulator serves. */
  model?: MarketModel;
  instrument?: Partial<InstrumentSpec>;
  /** Receive delay added to the event time for `ingest_time` (default 0). */
  ingestLagMs?: number;
}

/** Bronze `trades` with fromMs ≤ event_time < toMs, in trade-id order. */
export function generateTradeRows(symbol: string, fromMs: number, toMs: number, opts: OfflineOptions = {}): Table {
  const market = marketFor(symbol, fromMs, opts);
  const lag = opts.ingestLagMs ?? 0;
  const n = market.tradeCount(fromMs, toMs);
  const cols = new ColumnWriter(dataset('bronze', 'trades'), n, market);
  const [id, time, price, qty, quoteQty, ingest] = ['trade_id', 'event_time', 'price', 'qty', 'quote_qty', 'ingest_time'].map(
    (c) => cols.num(c),
  );
  const buyerMaker = cols.bool('is_buyer_maker');
  let r = 0;
  for (let m = Math.floor(fromMs / MINUTE_MS); m * MINUTE_MS < toMs; m++) {
    const mt = market.minuteTrades(m);
    for (let i = 0; i < mt.count; i++) {
      const t = mt.time[i];
      if (t < fromMs || t >= toMs) continue;
      id[r] = mt.firstId + i;
      time[r] = t;
      price[r] = mt.price[i] / market.priceScale;
      qty[r] = mt.qty[i] / market.qtyScale;
      quoteQty[r] = price[r] * qty[r];
      buyerMaker[r] = mt.buyerMaker[i] === 1;
      ingest[r] = t + lag;
      r++;
    }
  }
  return cols.table();
}

/** Bronze `book_top10`, one snapshot per 100 ms tick with fromMs ≤ tick < toMs. */
export function generateBookRows(symbol: string, fromMs: number, toMs: number, opts: OfflineOptions = {}): Table {
  const market = marketFor(symbol, fromMs, opts);
  const lag = opts.ingestLagMs ?? 0;
  const first = Math.ceil(fromMs / TICK_MS) * TICK_MS;
  const n = Math.max(0, Math.ceil((toMs - first) / TICK_MS));
  const cols = new ColumnWriter(dataset('bronze', 'book_top10'), n, market);
  const time = cols.num('event_time');
  const updateId = cols.num('last_update_id');
  const ingest = cols.num('ingest_time');
  const level = (name: string) => Array.from({ length: BOOK_DEPTH }, (_, i) => cols.num(`${name}_${i + 1}`));
  const [bidPx, bidSz, askPx, askSz] = ['bid_px', 'bid_sz', 'ask_px', 'ask_sz'].map(level);
  const walker = new TradeWalker(market);
  const ps = market.priceScale;
  const qs = market.qtyScale;
  for (let r = 0; r < n; r++) {
    const tick = first + r * TICK_MS;
    walker.walk(tick - TICK_MS, tick);
    const book = market.bookWith(tick, walker.last);
    time[r] = tick;
    updateId[r] = book.updateId;
    ingest[r] = tick + lag;
    for (let i = 0; i < BOOK_DEPTH; i++) {
      bidPx[i][r] = book.bidPx[i] / ps;
      bidSz[i][r] = book.bidSz[i] / qs;
      askPx[i][r] = book.askPx[i] / ps;
      askSz[i][r] = book.askSz[i] / qs;
    }
  }
  return cols.table();
}

function marketFor(symbol: string, fromMs: number, opts: OfflineOptions): SymbolMarket {
  const model =
    opts.model ??
    new MarketModel({
      seed: opts.seed ?? 1,
      symbols: [symbol],
      anchorMs: fromMs,
      instruments: opts.instrument ? { [symbol.toUpperCase()]: opts.instrument } : undefined,
    });
  return model.market(symbol);
}

/** Pre-sized columns of a Bronze dataset, with the per-symbol constants (base, quote, source) filled in. */
class ColumnWriter {
  private readonly columns: Record<string, ColumnData> = {};

  constructor(
    private readonly spec: DatasetSpec,
    private readonly length: number,
    market: SymbolMarket,
  ) {
    const { base, quote } = baseQuote(market.spec.symbol);
    const constants: Record<string, string> = { base, quote, source: 'ws' };
    for (const column of spec.columns) {
      if (column.name in constants) this.columns[column.name] = new Array<string>(length).fill(constants[column.name]);
      else if (column.type === 'boolean') this.columns[column.name] = new Array<boolean>(length).fill(false);
      else this.columns[column.name] = new Float64Array(length);
    }
  }

  num(name: string): Float64Array {
    return this.columns[name] as Float64Array;
  }

  bool(name: string): boolean[] {
    return this.columns[name] as boolean[];
  }

  table(): Table {
    return new Table(this.spec, this.length, this.columns);
  }
}
