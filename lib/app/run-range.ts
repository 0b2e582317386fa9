import { runGold, type GoldResult } from '../gold/gold-job';
import { PartitionsFailedError, settle, type PartitionFailure, type SkippedInput } from '../lake/build-issues';
import { runSilver, type SilverResult } from '../silver/silver-job';
import { dateRange } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import type { Progress } from '../util/progress';

/**
 * `lakehouse run`: Silver for every date of the range, then Gold for every date (Gold reads earlier days'
 * Silver for warm-up, so all Silver comes first). A failed partition does not stop the range: after the last
 * date, a PartitionsFailedError lists every failure and holds everything built.
 */
export async function runRange(o: {
  store: ObjectStore; from: string; to: string; exchange?: string; symbol?: string; progress?: Progress; onSkip?: (s: SkippedInput) => void;
}): Promise<{ silver: SilverResult[]; gold: GoldResult[] }> {
  const dates = dateRange(o.from, o.to);
  const silver: SilverResult[] = [];
  const gold: GoldResult[] = [];
  const failures: PartitionFailure[] = [];
  const job = { store: o.store, exchange: o.exchange, symbol: o.symbol, onSkip: o.onSkip };
  for (const [i, dt] of dates.entries()) {
    o.progress?.(`silver ${dt} (${i + 1}/${dates.length})`);
    const r = await settle(runSilver({ ...job, dt }));
    silver.push(...r.built);
    failures.push(...r.failures);
  }
  for (const [i, dt] of dates.entries()) {
    o.progress?.(`gold ${dt} (${i + 1}/${dates.length})`);
    const r = await settle(runGold({ ...job, dt }));
    gold.push(...r.built);
    failures.push(...r.failures);
  }
  if (failures.length) throw new PartitionsFailedError({ silver, gold }, failures);
  return { silver, gold };
}
