import { backfillTrades } from '../history/rest-trades';
import { readTables } from '../parquet/read';
import { dataset } from '../schema/registry';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { coveredLength, mergeIntervals, type Interval } from '../util/intervals';
import { DAY_MS, MINUTE_MS } from '../util/time';
import { healWindow, tradeIdHoles, windowMinutes, type HealWindow } from './heal-plan';
import type { HealTarget } from './heal-targets';
import { healSymbol, windowFiles } from './self-heal';

/**
 * `lakehouse backfill` (issue 14): the self-heal's REST gap fill (docs/silver.md, "Self-heal") over any range, one
 * UTC day at a time so Bronze reads and REST rows stay bounded by a day and progress shows per day. Each day runs
 * the self-heal's own planning (`healSymbol`): minutes without a closed Bronze 1m bar that have no row at all or
 * lie in a ledgered gap, and trades lost in ledgered gaps of the trade stream. Where the exchange serves trades by
 * id, it also fetches every id missing between two known Bronze trade ids (consecutive ids: each one was traded).
 * REST rows are new Bronze files; WebSocket rows are never rewritten, and a second run fetches nothing new.
 */

export interface BackfillRangeOptions {
  store: ObjectStore;
  target: HealTarget;
  symbol: string;
  /** First open time wanted (epoch ms, inclusive). */
  from: number;
  /** Last open time wanted (epoch ms, exclusive); cut to the minutes a live collector has settled and flushed. */
  to: number;
  nowMs?: number;
  /** One line per day done. */
  progress?: (line: string) => void;
}

export interface BackfillRangeSummary {
  exchange: string;
  symbol: string;
  from: string;
  /** The end of the range looked at (exclusive), after cutting it to settled minutes. */
  to: string;
  days: number;
  /** Gap-ledger rows of the symbol's 1m kline stream that reached into the range. */
  ledgerGaps: number;
  minutesFetched: number;
  rowsWritten: number;
  tradeIdsFetched: number;
  calls: number;
  files: number;
  /** What the exchange's REST did not return: minutes still without a closed bar, trade ids still absent. */
  notFetched: { minutes: number; ranges: { from: string; to: string }[]; tradeIds: number };
  /** Exchange errors and rejected rows, by day. */
  errors: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Bronze trade ids of the window, ascending (an archive day object is read whole, its other days' ids left out). */
async function tradeIdsOf(store: ObjectStore, target: HealTarget, symbol: string, window: HealWindow): Promise<number[]> {
  const spec = dataset('bronze', 'trades');
  const keys = await windowFiles(store, spec, { exchange: target.exchange, symbol }, window);
  const table = await readTables(store, spec, keys);
  const ids = table.num('trade_id');
  const times = table.num('event_time');
  const inWindow: number[] = [];
  for (let i = 0; i < table.length; i++) {
    if (Number.isInteger(ids[i]) && times[i] >= window.from && times[i] < window.to) inWindow.push(ids[i]);
  }
  return inWindow.sort((a, b) => a - b);
}

/**
 * Fetches the ids missing between known Bronze trade ids of the window; `previousId` (the last id of the day
 * before) bounds a hole across midnight. Returns the window's last known id, for the next day.
 */
async function fillTradeIdHoles(
  options: BackfillRangeOptions,
  window: HealWindow,
  previousId: number | undefined,
  summary: BackfillRangeSummary,
): Promise<number | undefined> {
  const { store, target, symbol } = options;
  const ids = await tradeIdsOf(store, target, symbol, window);
  const known = previousId === undefined ? ids : [previousId, ...ids];
  const holes = tradeIdHoles(known);
  const fetched = await backfillTrades({
    store,
    exchange: target.exchange,
    symbol,
    runs: holes.map(([first, end]): [number, number] => [first, end - 1]),
    restBase: target.restBase,
  });
  summary.tradeIdsFetched += fetched.trades;
  summary.notFetched.tradeIds += fetched.stillMissing;
  summary.calls += fetched.calls;
  summary.files += fetched.files;
  summary.errors.push(...fetched.errors.map((error) => `${iso(window.from).slice(0, 10)} trades: ${error}`));
  return known.length > 0 ? known[known.length - 1] : previousId;
}

/**
 * Backfills [from, to) of one symbol, day by day. Never throws for the exchange's answers (they are in `errors`);
 * a range with nothing settled in it is a UserError.
 */
export async function backfillRange(options: BackfillRangeOptions): Promise<BackfillRangeSummary> {
  const { store, target, symbol } = options;
  // Minutes a live collector has not settled or flushed yet are not missing (heal-plan.ts, healWindow).
  const settled = healWindow(options.nowMs ?? Date.now(), 1).to;
  const from = options.from - (options.from % MINUTE_MS);
  const to = Math.min(options.to, settled);
  if (!(to > from)) throw new UserError(`nothing to backfill: ${iso(from)} is not before ${iso(to)} (the last settled minute)`);
  const summary: BackfillRangeSummary = {
    exchange: target.exchange,
    symbol,
    from: iso(from),
    to: iso(to),
    days: 0,
    ledgerGaps: 0,
    minutesFetched: 0,
    rowsWritten: 0,
    tradeIdsFetched: 0,
    calls: 0,
    files: 0,
    notFetched: { minutes: 0, ranges: [], tradeIds: 0 },
    errors: [],
  };
  const firstDay = from - (from % DAY_MS);
  const totalDays = Math.ceil((to - firstDay) / DAY_MS);
  const stillMissing: Interval[] = [];
  let lastTradeId: number | undefined;
  for (let day = firstDay; day < to; day += DAY_MS) {
    const window: HealWindow = { from: Math.max(from, day), to: Math.min(to, day + DAY_MS) };
    if (windowMinutes(window)[1] <= window.from) continue;
    const heal = await healSymbol(store, target, symbol, window);
    summary.days++;
    summary.ledgerGaps += heal.ledgerGaps;
    summary.minutesFetched += heal.missingMinutes;
    summary.rowsWritten += heal.rows;
    summary.tradeIdsFetched += heal.tradesFetched;
    // Ids the ledgered-gap fetch did not get lie between known ids: the hole pass below asks (and counts) them again.
    summary.calls += heal.calls;
    summary.files += heal.files;
    summary.errors.push(...heal.errors.map((error) => `${iso(day).slice(0, 10)}: ${error}`));
    stillMissing.push(...heal.stillMissing.map(({ from: start, to: end }): Interval => [Date.parse(start), Date.parse(end)]));
    if (target.trades) {
      try {
        lastTradeId = await fillTradeIdHoles(options, window, lastTradeId, summary);
      } catch (error) {
        summary.errors.push(`${iso(day).slice(0, 10)} trades: ${(error as Error).message}`);
      }
    }
    options.progress?.(
      `backfill ${target.exchange} ${symbol} ${iso(day).slice(0, 10)} (day ${summary.days}/${totalDays}): ` +
        `${summary.minutesFetched} minutes, ${summary.rowsWritten} rows, ${summary.tradeIdsFetched} trade ids so far`,
    );
  }
  const merged = mergeIntervals(stillMissing);
  summary.notFetched.ranges = merged.map(([start, end]) => ({ from: iso(start), to: iso(end) }));
  summary.notFetched.minutes = coveredLength(merged) / MINUTE_MS;
  return summary;
}
