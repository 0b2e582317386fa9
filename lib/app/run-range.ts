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
export async function runRange(options: {
  store: ObjectStore;
  from: string;
  to: string;
  exchange?: string;
  symbol?: string;
  progress?: Progress;
  onSkip?: (skipped: SkippedInput) => void;
}): Promise<{ silver: SilverResult[]; gold: GoldResult[] }> {
  const dates = dateRange(options.from, options.to);
  const silver: SilverResult[] = [];
  const gold: GoldResult[] = [];
  const failures: PartitionFailure[] = [];
  const job = { store: options.store, exchange: options.exchange, symbol: options.symbol, onSkip: options.onSkip };
  for (const [i, dt] of dates.entries()) {
    options.progress?.(`silver ${dt} (${i + 1}/${dates.length})`);
    const settled = await settle(runSilver({ ...job, dt }));
    silver.push(...settled.built);
    failures.push(...settled.failures);
  }
  for (const [i, dt] of dates.entries()) {
    options.progress?.(`gold ${dt} (${i + 1}/${dates.length})`);
    const settled = await settle(runGold({ ...job, dt }));
    gold.push(...settled.built);
    failures.push(...settled.failures);
  }
  if (failures.length) throw new PartitionsFailedError({ silver, gold }, failures);
  return { silver, gold };
}
