import { mkdirSync } from 'node:fs';
import { dataset } from '../../../lib/schema/registry';
import { MarketModel } from '../../../lib/simulator/market/market-model';
import { generateBookRows, generateTradeRows } from '../../../lib/simulator/offline/bronze-rows';
import { putTable } from '../../../lib/parquet/write';
import { bronzeFileKey, dayStart } from '../../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import { Table, type ColumnData } from '../../../lib/table/table';
import type { Json, TaskFn } from '../../lib/types';
import { HOUR_MS, MINUTE_MS } from '../../../lib/util/time';

/**
 * Untimed setup of the silver section: one simulated day of Bronze for one symbol in a LocalObjectStore, as the
 * collector writes it (Parquet files per dataset and hour, keys from bronzeFileKey, tables via putTable):
 * trades (+ ~1 % replayed copies with a later ingest time), book_top10 every 100 ms, quotes at the top of the same
 * book, and the day's 1m klines from the same market. Hour by hour, so the setup never holds the whole day.
 */

export const EXCHANGE = 'binance';
export const SYMBOL = 'BTCUSDT';
export const DT = '2026-01-15';
/** The reference day: 2,000,000 trades (Poisson arrivals, so the day's count lands within a few thousand of it). */
export const REFERENCE_TRADES_PER_DAY = 2_000_000;
/** The reference day's quotes: one per book snapshot (depth10@100ms). Binance's bookTicker runs faster on liquid symbols. */
export const REFERENCE_QUOTES_PER_SECOND = 10;
/** Every 100th trade is written twice, the copy 1.5 s later (a replay after a reconnect). */
const DUP_EVERY = 100;
const INGEST_LAG_MS = 25;
/** Binance's kline streams repeat the open bar every 2 s. */
const KLINE_UPDATE_MS = 2000;

export interface SetupArgs {
  root: string;
  /** Hours of trades / book / quotes to write (24 = the full day; --quick uses fewer). Klines are always the full day. */
  hours: number;
  /** Default REFERENCE_TRADES_PER_DAY. */
  tradesPerDay?: number;
  /** Top-of-book quotes per second, spread evenly over each 100 ms book tick; default REFERENCE_QUOTES_PER_SECOND. */
  quotesPerSecond?: number;
  /**
   * Files per dataset and hour (default 1). The collector flushes every 5 minutes, so a live day holds 12: more,
   * smaller files cost Silver a request and a footer each.
   */
  filesPerHour?: number;
  /**
   * Klines as the live streams send them: 1m, 5m and 15m, each updated every 2 s and then closed, in files like the
   * other datasets (default: closed 1m bars only, one file per hour).
   */
  liveKlines?: boolean;
  /**
   * Added to the model's trade ids (about 10^9). Binance's BTCUSDT ids are past 3.7·10^9, beyond V8's small
   * integers, so every id Silver keeps as a key is a boxed number; the default 0 keeps the reference day's ids.
   */
  tradeIdOffset?: number;
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

/**
 * Bronze quotes at the top of book_top10 rows, `perSecond` of them a second: each 100 ms snapshot's best bid and
 * ask, repeated over the tick with sizes that change a little every update (as bookTicker sends on a liquid
 * symbol) and update ids that keep increasing. 10 a second is one per snapshot, the snapshot itself.
 */
function quotesOf(book: Table, perSecond: number): Table {
  const spec = dataset('bronze', 'quotes');
  const perTick = perSecond / 10;
  const n = book.length;
  // Spread a fractional rate evenly: tick r gets floor((r+1)·k) − floor(r·k) quotes.
  const m = Math.floor(n * perTick);
  const time = book.num('event_time'),
    id = book.num('last_update_id'),
    ingestB = book.num('ingest_time');
  const bpx = book.num('bid_px_1'),
    bsz = book.num('bid_sz_1'),
    apx = book.num('ask_px_1'),
    asz = book.num('ask_sz_1');
  const c = Object.fromEntries(
    ['event_time', 'update_id', 'bid_px', 'bid_sz', 'ask_px', 'ask_sz', 'ingest_time'].map(
      (name) => [name, new Float64Array(m)] as const,
    ),
  );
  // One quote per snapshot keeps the snapshot's own update id; more get ids of their own between snapshots.
  const idStep = perTick === 1 ? 1 : Math.ceil(perTick) + 1;
  let o = 0;
  for (let r = 0; r < n && o < m; r++) {
    const k = Math.floor((r + 1) * perTick) - Math.floor(r * perTick);
    for (let j = 0; j < k && o < m; j++, o++) {
      const dt = Math.floor((100 * j) / k);
      c.event_time[o] = time[r] + dt;
      c.update_id[o] = id[r] * idStep + j;
      c.bid_px[o] = bpx[r];
      c.ask_px[o] = apx[r];
      // Sizes wander by a lot or two per update; 8 decimals, as the exchange prints them.
      c.bid_sz[o] = Math.round(bsz[r] * 1e8 + ((j * 7919) % 13) * 1e5) / 1e8;
      c.ask_sz[o] = Math.round(asz[r] * 1e8 + ((j * 104729) % 11) * 1e5) / 1e8;
      c.ingest_time[o] = ingestB[r] + dt;
    }
  }
  const str = (name: string) => {
    const v = book.str(name)[0];
    return new Array<string | null>(o).fill(v);
  };
  const columns: Record<string, ColumnData> = {
    ...Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.subarray(0, o)])),
    base: str('base'),
    quote: str('quote'),
    source: str('source'),
  };
  return new Table(spec, o, columns);
}

/**
 * Bronze klines of the model's market for bars opening in [fromMs, toMs): with `updateEveryMs`, the stream's
 * repeated updates of the open bar (is_closed false) every that many ms, then the closed bar, as the kline stream
 * sends them; without, the closed bars only.
 */
export function klinesOf(model: MarketModel, fromMs: number, toMs: number, stepMs = MINUTE_MS, updateEveryMs = 0): Table {
  const spec = dataset('bronze', 'klines');
  const market = model.market(SYMBOL);
  const bars = Math.round((toMs - fromMs) / stepMs);
  const perBar = updateEveryMs > 0 ? Math.floor(stepMs / updateEveryMs) + 1 : 1;
  const n = bars * perBar;
  const num = (name: string) => [name, new Float64Array(n)] as const;
  const c = Object.fromEntries(
    [
      'open_time',
      'close_time',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'quote_volume',
      'trade_count',
      'taker_buy_volume',
      'taker_buy_quote_volume',
      'event_time',
      'ingest_time',
    ].map(num),
  );
  const closed = new Array<boolean>(n);
  const ps = market.priceScale,
    qs = market.qtyScale;
  let r = 0;
  for (let b = 0; b < bars; b++) {
    const k = market.kline(stepMs, fromMs + b * stepMs);
    for (let u = 0; u < perBar; u++, r++) {
      const last = u === perBar - 1;
      c.open_time[r] = k.openTime;
      c.close_time[r] = k.closeTime;
      c.open[r] = k.open / ps;
      c.high[r] = k.high / ps;
      c.low[r] = k.low / ps;
      c.close[r] = k.close / ps;
      c.volume[r] = k.volume / qs;
      c.quote_volume[r] = k.quoteVolume / (ps * qs);
      c.trade_count[r] = k.tradeCount;
      c.taker_buy_volume[r] = k.takerBuyVolume / qs;
      c.taker_buy_quote_volume[r] = k.takerBuyQuoteVolume / (ps * qs);
      c.event_time[r] = last ? k.closeTime + 1 : k.openTime + u * updateEveryMs;
      c.ingest_time[r] = c.event_time[r] + INGEST_LAG_MS;
      closed[r] = last;
    }
  }
  const columns: Record<string, ColumnData> = {
    ...c,
    is_closed: closed,
    base: new Array<string>(n).fill('BTC'),
    quote: new Array<string>(n).fill('USDT'),
    source: new Array<string>(n).fill('ws'),
  };
  return new Table(spec, n, columns);
}

/** Rows `i` of `t` whose time lies in each of `parts` equal windows of [from, to), in order. */
function slices(t: Table, column: string, from: number, to: number, parts: number): { startMs: number; table: Table }[] {
  if (parts <= 1) return [{ startMs: from, table: t }];
  const time = t.num(column);
  const width = (to - from) / parts;
  const idx: number[][] = Array.from({ length: parts }, () => []);
  for (let i = 0; i < t.length; i++) idx[Math.min(parts - 1, Math.max(0, Math.floor((time[i] - from) / width)))].push(i);
  return idx.map((ix, p) => ({ startMs: from + p * width, table: t.take(ix) })).filter((s) => s.table.length > 0);
}

/** args: SetupArgs → row counts of what was written. */
export const setup: TaskFn = async (args) => {
  const a = args as unknown as SetupArgs;
  const { root, hours } = a;
  const tradesPerDay = a.tradesPerDay ?? REFERENCE_TRADES_PER_DAY;
  const quotesPerSecond = a.quotesPerSecond ?? REFERENCE_QUOTES_PER_SECOND;
  const filesPerHour = a.filesPerHour ?? 1;
  mkdirSync(root, { recursive: true });
  const store = new LocalObjectStore(root);
  const day0 = dayStart(DT);
  const instruments = { [SYMBOL]: { tradesPerMinute: tradesPerDay / 1440 } };
  const model = new MarketModel({ seed: 7, symbols: [SYMBOL], anchorMs: day0, instruments });
  const opts = { model, ingestLagMs: INGEST_LAG_MS };
  const out: SetupResult = { trades: 0, tradeDuplicates: 0, book: 0, quotes: 0, klines: 0, files: 0, bronzeMB: 0 };
  const put = async (name: string, hour: number, from: number, t: Table, timeframe?: string) => {
    const parts = name === 'klines' && !a.liveKlines ? 1 : filesPerHour;
    for (const s of slices(t, 'event_time', from, from + HOUR_MS, parts)) {
      const values = { exchange: EXCHANGE, symbol: SYMBOL, dt: DT, hour, ...(timeframe ? { timeframe } : {}) };
      const key = bronzeFileKey(
        dataset('bronze', name),
        values,
        s.startMs,
        `bench-${name}${timeframe ?? ''}-${hour}-${s.startMs}`,
      );
      out.bronzeMB += (await putTable(store, key, s.table)) / 1e6;
      out.files++;
    }
  };
  for (let h = 0; h < hours; h++) {
    const from = day0 + h * HOUR_MS;
    const to = from + HOUR_MS;
    const trades = generateTradeRows(SYMBOL, from, to, opts);
    if (a.tradeIdOffset) {
      const id = trades.num('trade_id');
      for (let i = 0; i < id.length; i++) id[i] += a.tradeIdOffset;
    }
    const { table, dups } = withDuplicates(trades);
    out.trades += table.length;
    out.tradeDuplicates += dups;
    await put('trades', h, from, table);
    const book = generateBookRows(SYMBOL, from, to, opts);
    out.book += book.length;
    await put('book_top10', h, from, book);
    const quotes = quotesOf(book, quotesPerSecond);
    out.quotes += quotes.length;
    await put('quotes', h, from, quotes);
  }
  const klineStreams: [string, number][] = a.liveKlines
    ? [
        ['1m', MINUTE_MS],
        ['5m', 5 * MINUTE_MS],
        ['15m', 15 * MINUTE_MS],
      ]
    : [['1m', MINUTE_MS]];
  for (let h = 0; h < 24; h++) {
    const from = day0 + h * HOUR_MS;
    for (const [tf, step] of klineStreams) {
      const k = klinesOf(model, from, from + HOUR_MS, step, a.liveKlines ? KLINE_UPDATE_MS : 0);
      if (tf === '1m') out.klines += k.length;
      await put('klines', h, from, k, tf);
    }
  }
  return out;
};
