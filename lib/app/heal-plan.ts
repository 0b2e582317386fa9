import { DEFAULT_FLUSH_INTERVAL_MS } from '../collector/flush-interval';
import { lowerBound } from '../util/lower-bound';
import { clipIntervals, mergeIntervals, subtractIntervals, type Interval } from '../util/intervals';
import { HOUR_MS, MINUTE_MS } from '../util/time';

/**
 * What the self-heal fetches, as pure functions of what Bronze holds: its window of minutes, the minutes to fetch
 * from the kline REST API, and the trade ids lost in gaps of the trade stream. Minutes are half-open intervals of
 * open times ([t, t + 1 min) is the minute opening at t), trade ids half-open intervals of ids (lib/util/intervals).
 */

/** Time allowed for the collector's flush at an interval boundary to reach the store. */
const FLUSH_GRACE_MS = 60_000;

/** Open times [from, to) of the minutes a run looks at. */
export interface HealWindow {
  from: number;
  to: number;
}

/**
 * The last `hours` of closed minutes before `nowMs`, leaving out the still-open minute and the two before it
 * (the exchange may not have finalized them), and any minute after the collector's last flush boundary:
 * those rows are still in its memory, not missing, and fetching them would only add REST duplicates.
 */
export function healWindow(nowMs: number, hours: number, flushIntervalMs = DEFAULT_FLUSH_INTERVAL_MS): HealWindow {
  const minute = nowMs - (nowMs % MINUTE_MS);
  const settled = minute - 2 * MINUTE_MS;
  const flushed = nowMs - FLUSH_GRACE_MS - ((nowMs - FLUSH_GRACE_MS) % flushIntervalMs);
  return { from: minute - hours * HOUR_MS, to: Math.min(settled, flushed) };
}

/** The window's whole minutes: from `from`, as many as end by `to` (none when `to` is not after `from`). */
export function windowMinutes(window: HealWindow): Interval {
  const count = Math.floor(Math.max(0, (window.to - window.from) / MINUTE_MS));
  return [window.from, window.from + count * MINUTE_MS];
}

/** Whether `openTime` opens one of the window's minutes (on its minute grid, inside it). */
export function isWindowMinute(window: HealWindow, openTime: number): boolean {
  const [start, end] = windowMinutes(window);
  return Number.isInteger((openTime - start) / MINUTE_MS) && openTime >= start && openTime < end;
}

/** The minute opening at `openTime`. */
export function minuteAt(openTime: number): Interval {
  return [openTime, openTime + MINUTE_MS];
}

/**
 * Minutes of the window whose bar a ledger gap [start, end] may have cut short: those overlapping the gap and
 * those whose closing update (sent as the minute ends, at t + 1 min) fell into it, i.e. open time t with
 * t <= end and t + 1 min >= start.
 */
export function suspectMinutes(window: HealWindow, gap: readonly [start: number, end: number]): Interval[] {
  const [start, end] = gap;
  const first = Math.ceil((start - MINUTE_MS - window.from) / MINUTE_MS);
  const last = Math.floor((end - window.from) / MINUTE_MS);
  return clipIntervals([[window.from + first * MINUTE_MS, window.from + (last + 1) * MINUTE_MS]], windowMinutes(window));
}

/** What Bronze holds of the window's 1m klines: minutes with any row, and minutes with a closed bar. */
export interface KlineCoverage {
  /** Minutes with a row of any kind (in-progress WebSocket updates included). */
  rows: readonly Interval[];
  /** Minutes with a closed bar: a WebSocket row with is_closed, or any REST or archive row. */
  closed: readonly Interval[];
}

/**
 * The window's minutes to fetch: those without a closed bar that either have no row at all or are suspect by a
 * ledger gap of the 1m kline stream (the bar's closing update may have been lost: only in-progress updates arrived).
 */
export function minutesToFetch(
  window: HealWindow,
  bronze: KlineCoverage,
  gaps: readonly (readonly [number, number])[],
): Interval[] {
  const minutes = windowMinutes(window);
  const withoutRows = subtractIntervals([minutes], bronze.rows);
  const suspect = subtractIntervals(
    gaps.flatMap((gap) => suspectMinutes(window, gap)),
    bronze.closed,
  );
  return mergeIntervals([...withoutRows, ...suspect]);
}

/** Bronze's trades, ascending by id (`times[k]` is the event time of `ids[k]`). */
export interface TradeIds {
  ids: readonly number[];
  times: readonly number[];
}

/**
 * The trade ids lost in gaps [start, end] of the trade stream: for each gap, the ids strictly between the last
 * trade at or before `start` and the first at or after `end` that Bronze does not hold. A gap without a trade on
 * either side (e.g. still open) cannot be bounded and is left out. Two gaps can bound the same lost ids: the
 * result is their union.
 */
export function lostTradeIds(gaps: readonly (readonly [number, number])[], trades: TradeIds): Interval[] {
  const { ids, times } = trades;
  const lost: Interval[] = [];
  for (const [start, end] of gaps) {
    let before = -Infinity;
    let after = Infinity;
    for (let k = 0; k < ids.length; k++) {
      if (times[k] <= start && ids[k] > before) before = ids[k];
      if (times[k] >= end && ids[k] < after) after = ids[k];
    }
    if (!Number.isFinite(before) || !Number.isFinite(after) || after - before < 2) continue;
    const held: Interval[] = [];
    for (let k = lowerBound(ids, before + 1); k < ids.length && ids[k] < after; k++) held.push([ids[k], ids[k] + 1]);
    lost.push(...subtractIntervals([[before + 1, after]], held));
  }
  return mergeIntervals(lost);
}

/**
 * The ids missing between consecutive known trade ids (`ids` ascending, duplicates allowed), as half-open
 * intervals: on an exchange with consecutive trade ids every one of them was traded and lost (docs/silver.md,
 * "Lost trades"). Ids before the first or after the last known id cannot be bounded and are left out.
 */
export function tradeIdHoles(ids: readonly number[]): Interval[] {
  const holes: Interval[] = [];
  for (let k = 1; k < ids.length; k++) {
    if (ids[k] - ids[k - 1] > 1) holes.push([ids[k - 1] + 1, ids[k]]);
  }
  return mergeIntervals(holes);
}
