import { discoverPartitions } from '../lake/discover';
import { dataset } from '../schema/registry';
import { dayStart } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { DAY_MS } from '../util/time';

/**
 * The work list of a partition build (docs/aws-rules.md, "Fan-out"): one item per (exchange, symbol, date) that has
 * input — Bronze 1m klines for Silver, Silver 1m klines for Gold. The state machine's Distributed Map reads the list
 * from the lake (its ItemReader), so a rebuild of years × hundreds of symbols is not bound by Step Functions'
 * 256 KB payload; Silver for every item runs before Gold for any (Gold reads earlier days' Silver for warm-up).
 */

export type BuildStage = 'silver' | 'gold';

/** Ten years of dates per request; a request's partitions are listed with a handful of LIST calls per symbol. */
export const MAX_BUILD_DAYS = 3660;

export interface BuildRequest {
  from: string;
  to: string;
  exchange?: string;
  symbol?: string;
}

/** The event of one Silver or Gold invocation. */
export interface PartitionItem {
  dt: string;
  exchange: string;
  symbol: string;
  /** Gold only: also rebuild the day before, whose last hour's forward labels read this day (the daily run). */
  relabel?: true;
}

export function checkBuildRange(request: BuildRequest): void {
  const days = (date(request.to, 'to') - date(request.from, 'from')) / DAY_MS + 1;
  if (days < 1) throw new UserError(`from ${request.from} is after to ${request.to}`);
  if (days > MAX_BUILD_DAYS)
    throw new UserError(`${request.from} to ${request.to} is ${days} days; build at most ${MAX_BUILD_DAYS} days at a time`);
}

export async function planPartitions(
  store: ObjectStore,
  stage: BuildStage,
  request: BuildRequest,
  options: { relabel?: boolean } = {},
): Promise<PartitionItem[]> {
  checkBuildRange(request);
  const input = dataset(stage === 'silver' ? 'bronze' : 'silver', 'klines');
  const parts = await discoverPartitions(
    store,
    input,
    { timeframe: '1m', exchange: request.exchange, symbol: request.symbol },
    { from: request.from, to: request.to },
  );
  return parts
    .map((p) => ({
      dt: p.dt,
      exchange: p.exchange,
      symbol: p.symbol,
      ...(options.relabel && stage === 'gold' ? { relabel: true as const } : {}),
    }))
    .sort((a, b) =>
      a.dt < b.dt
        ? -1
        : a.dt > b.dt
          ? 1
          : a.exchange < b.exchange
            ? -1
            : a.exchange > b.exchange
              ? 1
              : a.symbol < b.symbol
                ? -1
                : a.symbol > b.symbol
                  ? 1
                  : 0,
    );
}

/** Where a build execution's item list for a stage lives in the lake (under `jobs/`, which expires). */
export function buildItemsKey(execution: string, stage: BuildStage): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(execution))
    throw new UserError(`execution name ${JSON.stringify(execution)} is not a Step Functions execution name`);
  return `jobs/builds/${execution}/${stage}-items.json`;
}

function date(value: string, field: string): number {
  try {
    return dayStart(value);
  } catch {
    throw new UserError(`${field} '${value}' is not a date (expected YYYY-MM-DD)`);
  }
}
