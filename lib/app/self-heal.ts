import { binanceStreamName } from '../exchanges/binance';
import { backfillKlines } from '../history/rest-backfill';
import { backfillTrades } from '../history/rest-trades';
import { readTables } from '../parquet/read';
import type { ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import { bronzeFilesForHours } from '../lake/bronze-files';
import type { DatasetSpec, PartitionValues } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { coveredLength, mergeIntervals, subtractIntervals, type Interval } from '../util/intervals';
import {
  healWindow,
  isWindowMinute,
  lostTradeIds,
  minuteAt,
  minutesToFetch,
  type HealWindow,
  type KlineCoverage,
  type TradeIds,
} from './heal-plan';
import type { HealTarget } from './heal-targets';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../util/time';

export { healWindow, type HealWindow } from './heal-plan';
export { healTargetsFromEnv, restBaseVariable, type HealTarget } from './heal-targets';

/**
 * The hourly self-heal (docs/silver.md), driven by the gap ledger: for every configured exchange/symbol, the
 * recent closed minutes without a closed Bronze 1m bar that either have no kline row at all or lie in a gap the
 * collector ledgered on the symbol's 1m kline stream (the bar's closing update may have been lost: only
 * in-progress updates arrived) are fetched from the exchange's REST API in its dialect (Binance spot or USD-M
 * futures). REST rows are new Bronze files next to the WebSocket ones, never replacements, and Silver ranks
 * them below a closed WebSocket bar and flags them BACKFILLED. Minutes still without a closed bar afterwards
 * are listed (`stillMissing`). A second run over the same window fetches nothing but what stayed missing.
 *
 * On Binance spot (consecutive trade ids, `/api/v3/historicalTrades`), the trades lost in ledgered gaps of the
 * symbol's trade stream are fetched too, by id: between the last Bronze trade at or before the gap's start and
 * the first at or after its end, every id Bronze does not hold (see `tradeRuns`).
 */

export const DEFAULT_HEAL_HOURS = 3;
/** Bounds one run's REST calls and Bronze reads; longer outages are for `lakehouse backfill` or an archive import. */
export const MAX_HEAL_HOURS = 48;

/**
 * The Bronze files that can hold rows of the window: rows are filed by event (open) time, so the window's hour
 * folders, plus the hour=00 folder of its first day, where an archive import files a whole day as one object
 * (docs/history.md, "Bronze granularity").
 */
export async function windowFiles(
  store: ObjectStore,
  spec: DatasetSpec,
  values: Omit<PartitionValues, 'hour' | 'dt'>,
  window: HealWindow,
): Promise<string[]> {
  const keys = await bronzeFilesForHours(store, spec, values, window.from, window.to);
  const firstDay = window.from - (window.from % DAY_MS);
  if (window.from - firstDay >= HOUR_MS)
    keys.unshift(...(await bronzeFilesForHours(store, spec, values, firstDay, firstDay + HOUR_MS)));
  return keys;
}

/** Per minute of the window, whether Bronze has any 1m kline row, and whether it has a closed bar. */
async function klineCoverage(store: ObjectStore, exchange: string, symbol: string, window: HealWindow): Promise<KlineCoverage> {
  const spec = dataset('bronze', 'klines');
  const keys = await windowFiles(store, spec, { timeframe: '1m', exchange, symbol }, window);
  const table = await readTables(store, spec, keys);
  const open = table.num('open_time');
  const isClosed = table.bool('is_closed');
  const source = table.str('source');
  const rows = new Set<number>();
  const closed = new Set<number>();
  for (let i = 0; i < table.length; i++) {
    if (!isWindowMinute(window, open[i])) continue;
    rows.add(open[i]);
    if (source[i] !== 'ws' || isClosed[i]) closed.add(open[i]);
  }
  return { rows: mergeIntervals([...rows].map(minuteAt)), closed: mergeIntervals([...closed].map(minuteAt)) };
}

/** Ledger rows are filed by start time: a gap starting this long before the window is still read. */
export const LEDGER_LOOKBACK_HOURS = 6;

/**
 * The gap ledger's interruptions of `stream` that reach into the window, as [start, end] (end: the window's end
 * while the gap is still open). The ledger has one row per stream and interruption, so a reconnect counts once.
 */
async function ledgerGaps(
  store: ObjectStore,
  exchange: string,
  symbol: string,
  stream: string,
  window: HealWindow,
): Promise<[number, number][]> {
  const spec = dataset('bronze', 'gaps');
  const keys = await bronzeFilesForHours(
    store,
    spec,
    { exchange, symbol },
    window.from - LEDGER_LOOKBACK_HOURS * HOUR_MS,
    window.to,
  );
  const table = await readTables(store, spec, keys);
  const streams = table.str('stream');
  const starts = table.num('start_time');
  const ends = table.num('end_time');
  const seen = new Set<string>();
  const gaps: [number, number][] = [];
  for (let i = 0; i < table.length; i++) {
    if (streams[i] !== stream) continue;
    const start = starts[i];
    const end = Number.isNaN(ends[i]) ? window.to : ends[i];
    // Some window minute t is suspect (t <= end and t + 1 min >= start), see suspectMinutes.
    if (end < window.from || start > window.to || end < start || seen.has(`${start}|${end}`)) continue;
    seen.add(`${start}|${end}`);
    gaps.push([start, end]);
  }
  return gaps;
}

/**
 * Bronze's trades around ledgered gaps of the trade stream, ascending by id: read from the hour before a gap's
 * start to the hour after its end, enough to find the trades that bound it (see lostTradeIds).
 */
async function tradesAround(
  store: ObjectStore,
  exchange: string,
  symbol: string,
  gaps: readonly [number, number][],
): Promise<TradeIds> {
  const spec = dataset('bronze', 'trades');
  const keys = new Set<string>();
  for (const [start, end] of gaps) {
    for (const key of await bronzeFilesForHours(store, spec, { exchange, symbol }, start - HOUR_MS, end + 2 * HOUR_MS))
      keys.add(key);
  }
  const table = await readTables(store, spec, [...keys].sort());
  const idCol = table.num('trade_id');
  const timeCol = table.num('event_time');
  const order = Array.from({ length: table.length }, (_, i) => i)
    .filter((i) => Number.isInteger(idCol[i]) && Number.isFinite(timeCol[i]))
    .sort((a, b) => idCol[a] - idCol[b]);
  return { ids: order.map((i) => idCol[i]), times: order.map((i) => timeCol[i]) };
}

const isoRange = ([from, to]: Interval) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
const minutesIn = (runs: readonly Interval[]) => coveredLength(runs) / MINUTE_MS;

export interface SymbolHeal {
  exchange: ExchangeId;
  symbol: string;
  /** Gap-ledger rows of the symbol's 1m kline stream that reach into the window. */
  ledgerGaps: number;
  /** Minutes fetched: without a closed bar, and either without any row or suspect by the ledger. */
  missingMinutes: number;
  /** The runs fetched, ISO open times, `to` exclusive. */
  ranges: { from: string; to: string }[];
  rows: number;
  calls: number;
  files: number;
  /** Runs of fetched minutes that still have no closed bar afterwards (the REST had nothing, or failed). */
  stillMissing: { from: string; to: string }[];
  stillMissingMinutes: number;
  /** Trades fetched by id for ledgered gaps of the trade stream (Binance spot only, else 0). */
  tradesFetched: number;
  /** Ids between a trade-stream gap's bounding trades that are still not in Bronze after the fetch. */
  tradeIdsStillMissing: number;
  /** Exchange errors and rejected rows, or why the symbol could not be healed at all. */
  errors: string[];
}

export interface SelfHealResult {
  from: string;
  to: string;
  symbols: SymbolHeal[];
  rows: number;
}

export interface SelfHealOptions {
  store: ObjectStore;
  targets: readonly HealTarget[];
  nowMs: number;
  hours: number;
  /** The collector's flush interval (default: its default). */
  flushIntervalMs?: number;
}

/**
 * Fetches the window's minutes that have no closed bar and either no Bronze row at all or a ledger gap over
 * them; returns them (none when Bronze could not be read). Failures are recorded in `heal`.
 */
async function healKlines(
  store: ObjectStore,
  target: HealTarget,
  symbol: string,
  window: HealWindow,
  heal: SymbolHeal,
): Promise<Interval[]> {
  let wanted: Interval[] = [];
  try {
    const bronze = await klineCoverage(store, target.exchange, symbol, window);
    const gaps = await ledgerGaps(store, target.exchange, symbol, target.dialect.wsStream(symbol, '1m'), window);
    heal.ledgerGaps = gaps.length;
    wanted = minutesToFetch(window, bronze, gaps);
    heal.missingMinutes = minutesIn(wanted);
    heal.ranges = wanted.map(isoRange);
    for (const [from, to] of wanted) {
      const fetched = await backfillKlines({
        store,
        exchange: target.exchange,
        symbol,
        from,
        to,
        restBase: target.restBase,
        dialect: target.dialect,
      });
      heal.rows += fetched.rows;
      heal.calls += fetched.calls;
      heal.files += fetched.files;
      heal.errors.push(...fetched.errors);
    }
  } catch (err) {
    heal.errors.push((err as Error).message);
  }
  return wanted;
}

/** Fetches, by id, the trades lost in ledgered gaps of the symbol's trade stream. Failures are recorded in `heal`. */
async function healTrades(
  store: ObjectStore,
  target: HealTarget,
  symbol: string,
  window: HealWindow,
  heal: SymbolHeal,
): Promise<void> {
  try {
    const gaps = await ledgerGaps(store, target.exchange, symbol, binanceStreamName({ symbol, dataset: 'trades' }), window);
    const lost = gaps.length === 0 ? [] : lostTradeIds(gaps, await tradesAround(store, target.exchange, symbol, gaps));
    const runs = lost.map(([first, end]): [number, number] => [first, end - 1]);
    const fetched = await backfillTrades({ store, exchange: target.exchange, symbol, runs, restBase: target.restBase });
    heal.tradesFetched = fetched.trades;
    heal.tradeIdsStillMissing = fetched.stillMissing;
    heal.calls += fetched.calls;
    heal.files += fetched.files;
    heal.errors.push(...fetched.errors);
  } catch (err) {
    heal.errors.push(`trades: ${(err as Error).message}`);
  }
}

/**
 * Heals one symbol of one target over `window`: fetches its missing minutes (see minutesToFetch) and, where the
 * exchange serves trades by id, its lost trades, then lists the fetched minutes still without a closed bar.
 * Never throws: failures are in the result's `errors`.
 */
export async function healSymbol(
  store: ObjectStore,
  target: HealTarget,
  symbol: string,
  window: HealWindow,
): Promise<SymbolHeal> {
  const heal: SymbolHeal = {
    exchange: target.exchange,
    symbol,
    ledgerGaps: 0,
    missingMinutes: 0,
    ranges: [],
    rows: 0,
    calls: 0,
    files: 0,
    stillMissing: [],
    stillMissingMinutes: 0,
    tradesFetched: 0,
    tradeIdsStillMissing: 0,
    errors: [],
  };
  const wanted = await healKlines(store, target, symbol, window, heal);
  if (target.trades) await healTrades(store, target, symbol, window, heal);
  if (wanted.length === 0) return heal;
  try {
    // What the fetch could not close stays missing, listed here and left to Silver's gap report.
    const after = await klineCoverage(store, target.exchange, symbol, window);
    const still = subtractIntervals(wanted, after.closed);
    heal.stillMissing = still.map(isoRange);
    heal.stillMissingMinutes = minutesIn(still);
  } catch (err) {
    heal.errors.push(`re-check after the fetch failed: ${(err as Error).message}`);
  }
  return heal;
}

/**
 * Heals every target symbol in turn (healSymbol); one symbol's failure is recorded and does not stop the others.
 */
export async function selfHeal(options: SelfHealOptions): Promise<SelfHealResult> {
  const { store, targets, hours } = options;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HEAL_HOURS)
    throw new UserError(`hours must be a whole number from 1 to ${MAX_HEAL_HOURS}, got ${hours}`);
  const window = healWindow(options.nowMs, hours, options.flushIntervalMs);
  const symbols: SymbolHeal[] = [];
  for (const target of targets) {
    for (const symbol of target.symbols) symbols.push(await healSymbol(store, target, symbol, window));
  }
  return {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    symbols,
    rows: symbols.reduce((sum, heal) => sum + heal.rows, 0),
  };
}
