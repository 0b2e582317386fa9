import { dateRange, dayStart } from '../storage/lake-paths';
import { UserError } from '../util/errors';

/**
 * The work list of a date-range rebuild (SPEC §7): one item per date, which the state machine maps over twice,
 * Silver for every date and then Gold for every date (Gold reads the previous days' Silver for warm-up).
 */

/**
 * Ten years. Also bounds the state payload: an item with both filters is ~64 bytes, so the largest plan is
 * ~235 KB, inside Step Functions' 256 KB limit for ordinary symbol names.
 */
export const MAX_REBUILD_DAYS = 3660;
const DAY_MS = 86_400_000;

export interface RebuildRequest {
  from: string;
  to: string;
  exchange?: string;
  symbol?: string;
}

/** The event of one Silver or Gold invocation. */
export interface RebuildItem {
  dt: string;
  exchange?: string;
  symbol?: string;
}

export interface RebuildPlan {
  dates: RebuildItem[];
  count: number;
}

export function planRebuild(r: RebuildRequest): RebuildPlan {
  const days = (date(r.to, 'to') - date(r.from, 'from')) / DAY_MS + 1;
  if (days < 1) throw new UserError(`from ${r.from} is after to ${r.to}`);
  if (days > MAX_REBUILD_DAYS) throw new UserError(`${r.from} to ${r.to} is ${days} days; rebuild at most ${MAX_REBUILD_DAYS} days at a time`);
  // Only the filters given: an absent key means "every exchange/symbol" to the jobs.
  const filters = { ...(r.exchange && { exchange: r.exchange }), ...(r.symbol && { symbol: r.symbol }) };
  const dates = dateRange(r.from, r.to).map((dt) => ({ dt, ...filters }));
  return { dates, count: dates.length };
}

function date(v: string, field: string): number {
  try {
    return dayStart(v);
  } catch {
    throw new UserError(`${field} '${v}' is not a date (expected YYYY-MM-DD)`);
  }
}
