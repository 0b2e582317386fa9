import { runGold, type GoldResult } from '../gold/gold-job';
import { runSilver, type SilverResult } from '../silver/silver-job';
import { dateRange } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import type { Progress } from '../util/progress';

/**
 * `lakehouse run`: Silver for every date of the range, then Gold for every date (Gold reads earlier days'
 * Silver for warm-up, so all Silver comes first).
 */
export async function runRange(o: { store: ObjectStore; from: string; to: string; exchange?: string; symbol?: string; progress?: Progress }): Promise<{ silver: SilverResult[]; gold: GoldResult[] }> {
  const dates = dateRange(o.from, o.to);
  const silver: SilverResult[] = [];
  const gold: GoldResult[] = [];
  for (const [i, dt] of dates.entries()) {
    o.progress?.(`silver ${dt} (${i + 1}/${dates.length})`);
    silver.push(...(await runSilver({ store: o.store, dt, exchange: o.exchange, symbol: o.symbol })));
  }
  for (const [i, dt] of dates.entries()) {
    o.progress?.(`gold ${dt} (${i + 1}/${dates.length})`);
    gold.push(...(await runGold({ store: o.store, dt, exchange: o.exchange, symbol: o.symbol })));
  }
  return { silver, gold };
}
