import { mkdirSync } from 'node:fs';
import { dataset } from '../../../lib/schema/registry';
import { MarketModel } from '../../../lib/simulator/market/market-model';
import { generateBookRows, generateTradeRows } from '../../../lib/simulator/offline/bronze-rows';
import { putTable } from '../../../lib/parquet/write';
import { bronzeFileKey, dayStart } from '../../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import { Table, type ColumnData } from '../../../lib/table/table';
import type { Json, TaskFn } from '../../lib/types';

/**
 * Untimed setup of the silver section: one simulated day of Bronze for one symbol in a LocalObjectStore, as the
 * collector writes it (one Parquet file per dataset and hour, keys from bronzeFileKey, tables via putTable):
 * trades (+ ~1 % replayed copies with a later ingest time), book_top10 every 100 ms, quotes = the top of the same
 * book rows, and the day's 1m klines from the same market. Hour by hour, so the setup never holds the whole day.
 */

export const EXCHANGE = 'binance';
export const SYMBOL = 'BTCUSDT';
export const DT = '2026-01-15';
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** 2,000,000 trades a day on average (Poisson arrivals, so the day's count lands within a few thousand of it). */
const TRADES_PER_MINUTE = 2_000_000 / 1440;
/** Every 100th trade is written twice, the copy 1.5 s later (a replay after a reconnect). */
const DUP_EVERY = 100;
const INGEST_LAG_MS = 25;

export interface SetupArgs {
  root: string;
  /** Hours of trades / book / quotes to write (24 = the full day; --quick uses fewer). Klines are always the full day. */
  hours: number;
}

export interface SetupResult {
  trades: number;
  tradeDuplicates: number;
  book: number;
  quotes: number;
  klines: number;
  files: number;
  bronzeMB: number;
  [k: string]: Json;
}

/** Appends a copy of every DUP_EVERY-th row, with a later ingest time, after the hour's rows. */
function withDuplicates(t: Table): { table: Table; dups: number } {
  const n = t.length;
  const pick: number[] = [];
  for (let i = DUP_EVERY / 2; i < n; i += DUP_EVERY) pick.push(i);
  const m = n + pick.length;
  const columns: Record<string, ColumnData> = {};
  for (const c of t.spec.columns) {
    const src = t.columns[c.name];
    if (src instanceof Float64Array) {
      const out = new Float64Array(m);
      out.set(src);
      for (let k = 0; k < pick.length; k++) out[n + k] = src[pick[k]];
      columns[c.name] = out;
    } else {
      const out = (src as unknown[]).slice();
      for (const i of pick) out.push(src[i]);
      columns[c.name] = out as ColumnData;
    }
  }
  const ingest = columns.ingest_time as Float64Array;
  for (let k = 0; k < pick.length; k++) ingest[n + k] += 1500;
  return { table: new Table(t.spec, m, columns), dups: pick.length };
}

/** Top of book of book_top10 rows as Bronze quotes (update_id = the snapshot's last_update_id). */
function quotesOf(book: Table): Table {
  const spec = dataset('bronze', 'quotes');
  const n = book.length;
  const columns: Record<string, ColumnData> = {
    event_time: book.num('event_time'), update_id: book.num('last_update_id'),
    bid_px: book.num('bid_px_1'), bid_sz: book.num('bid_sz_1'), ask_px: book.num('ask_px_1'), ask_sz: book.num('ask_sz_1'),
    base: book.str('base'), quote: book.str('quote'), ingest_time: book.num('ingest_time'), source: book.str('source'),
  };
  return new Table(spec, n, columns);
}

function klinesOf(model: MarketModel, fromMs: number, toMs: number): Table {
  const spec = dataset('bronze', 'klines');
  const market = model.market(SYMBOL);
  const n = Math.round((toMs - fromMs) / MINUTE_MS);
  const num = (name: string) => [name, new Float64Array(n)] as const;
  const c = Object.fromEntries(['open_time', 'close_time', 'open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trade_count',
    'taker_buy_volume', 'taker_buy_quote_volume', 'event_time', 'ingest_time'].map(num));
  const ps = market.priceScale, qs = market.qtyScale;
  for (let i = 0; i < n; i++) {
    const k = market.kline(MINUTE_MS, fromMs + i * MINUTE_MS);
    c.open_time[i] = k.openTime; c.close_time[i] = k.closeTime;
    c.open[i] = k.open / ps; c.high[i] = k.high / ps; c.low[i] = k.low / ps; c.close[i] = k.close / ps;
    c.volume[i] = k.volume / qs; c.quote_volume[i] = k.quoteVolume / (ps * qs); c.trade_count[i] = k.tradeCount;
    c.taker_buy_volume[i] = k.takerBuyVolume / qs; c.taker_buy_quote_volume[i] = k.takerBuyQuoteVolume / (ps * qs);
    c.event_time[i] = k.closeTime + 1; c.ingest_time[i] = k.closeTime + 1 + INGEST_LAG_MS;
  }
  const columns: Record<string, ColumnData> = {
    ...c, is_closed: new Array<boolean>(n).fill(true),
    base: new Array<string>(n).fill('BTC'), quote: new Array<string>(n).fill('USDT'), source: new Array<string>(n).fill('ws'),
  };
  return new Table(spec, n, columns);
}

/** args: SetupArgs → row counts of what was written. */
export const setup: TaskFn = async (args) => {
  const { root, hours } = args as unknown as SetupArgs;
  mkdirSync(root, { recursive: true });
  const store = new LocalObjectStore(root);
  const day0 = dayStart(DT);
  const model = new MarketModel({ seed: 7, symbols: [SYMBOL], anchorMs: day0, instruments: { [SYMBOL]: { tradesPerMinute: TRADES_PER_MINUTE } } });
  const opts = { model, ingestLagMs: INGEST_LAG_MS };
  const out: SetupResult = { trades: 0, tradeDuplicates: 0, book: 0, quotes: 0, klines: 0, files: 0, bronzeMB: 0 };
  const put = async (name: string, hour: number, startMs: number, t: Table) => {
    const key = bronzeFileKey(dataset('bronze', name), { exchange: EXCHANGE, symbol: SYMBOL, dt: DT, hour, ...(name === 'klines' ? { timeframe: '1m' } : {}) }, startMs, `bench-${name}-${hour}`);
    out.bronzeMB += (await putTable(store, key, t)) / 1e6;
    out.files++;
  };
  for (let h = 0; h < hours; h++) {
    const from = day0 + h * HOUR_MS;
    const to = from + HOUR_MS;
    const trades = generateTradeRows(SYMBOL, from, to, opts);
    const { table, dups } = withDuplicates(trades);
    out.trades += table.length;
    out.tradeDuplicates += dups;
    await put('trades', h, from, table);
    const book = generateBookRows(SYMBOL, from, to, opts);
    out.book += book.length;
    await put('book_top10', h, from, book);
    const quotes = quotesOf(book);
    out.quotes += quotes.length;
    await put('quotes', h, from, quotes);
  }
  for (let h = 0; h < 24; h++) {
    const from = day0 + h * HOUR_MS;
    const k = klinesOf(model, from, from + HOUR_MS);
    out.klines += k.length;
    await put('klines', h, from, k);
  }
  return out;
};
