import { badFileLine, scanLake, type BadFile } from '../lake/bad-files';
import type { ObjectStore } from '../storage/object-store';
import { formatAge } from './health-markdown';
import { bronzeFreshness, latestGoldValidity, latestSilverReports, recordedBronze } from './health-readings';

/**
 * Lake health (`lakehouse health`, the health Lambda): Bronze freshness per exchange and symbol, the latest
 * Silver quality reports, the feature validity of each symbol's latest Gold partition, and bad files. It walks
 * the lake by listing prefixes and reads only the newest folders, the reports of one date and one Gold file per
 * symbol — except on a local lake, where it also checks every data file (footers only, verdicts cached).
 * Here the readings (lib/app/health-readings.ts) become the verdict: the problems and whether the lake is ok;
 * lib/app/health-markdown.ts renders it.
 */

/** Alarm when no Bronze was written for 10 minutes (docs/collector.md#heartbeat, README "Alarms and what to do"). */
export const BRONZE_STALE_AFTER_SECONDS = 600;

export type { BadFilesHealth, ExchangeFreshness, GoldValidity, LakeHealth, SilverQuality, SymbolFreshness } from './health-types';
import type { BadFilesHealth, LakeHealth } from './health-types';

export interface HealthOptions {
  staleAfterSeconds?: number;
  /** Check every data file's footer (default: on a local lake only). */
  checkEveryFile?: boolean;
}

/** Problem lines name at most this many files per layer; `badFiles` lists them all. */
const NAMED_PER_LAYER = 5;

export async function computeHealth(store: ObjectStore, nowMs: number, options: HealthOptions = {}): Promise<LakeHealth> {
  const staleAfterSeconds = options.staleAfterSeconds ?? BRONZE_STALE_AFTER_SECONDS;
  const problems: string[] = [];
  const bronze = await bronzeFreshness(store, nowMs, staleAfterSeconds);
  if (bronze.length === 0) problems.push('bronze: no 1m klines in the lake');
  for (const ex of bronze) {
    for (const freshness of ex.symbols) {
      if (!freshness.fresh)
        problems.push(
          `bronze ${ex.exchange} ${freshness.symbol}: newest file is ${formatAge(freshness.ageSeconds)} old (stale ` +
            `after ${formatAge(staleAfterSeconds)})`,
        );
    }
  }
  const silver = await latestSilverReports(store, problems);
  for (const report of silver.reports) {
    if (report.verdict !== 'PASS')
      problems.push(`silver ${report.exchange} ${report.symbol} ${report.dt}: ${report.verdict} (${report.reasons.join('; ')})`);
  }
  const unreadableGold: BadFile[] = [];
  const gold = await latestGoldValidity(store, unreadableGold);
  for (const validity of gold) {
    if (validity.invalid > 0)
      problems.push(
        `gold ${validity.exchange} ${validity.symbol} ${validity.dt}: ${validity.invalid} invalid feature values ` +
          `(${validity.invalidFeatures.join(', ')})`,
      );
  }
  const everyFile = options.checkEveryFile ?? store.localRoot !== undefined;
  const found = everyFile ? (await scanLake(store)).flatMap((d) => d.bad) : recordedBronze(silver.recorded);
  const badFiles = groupBadFiles(everyFile ? 'lake' : 'recorded', [...found, ...unreadableGold]);
  for (const [layer, { count, files }] of Object.entries(badFiles.layers)) {
    const named = files.slice(0, NAMED_PER_LAYER).map(badFileLine).join('; ');
    const more = count > NAMED_PER_LAYER ? `; and ${count - NAMED_PER_LAYER} more` : '';
    problems.push(`${layer}: ${count} bad file${count === 1 ? '' : 's'}: ${named}${more}`);
  }
  return {
    checkedAt: new Date(nowMs).toISOString(),
    ok: problems.length === 0,
    problems,
    staleAfterSeconds,
    bronze,
    silver: { dt: silver.dt, reports: silver.reports },
    gold,
    badFiles,
  };
}

/** Per layer in lake order, each file once (a Gold file both checked and read is one bad file). */
function groupBadFiles(scope: BadFilesHealth['scope'], files: readonly BadFile[]): BadFilesHealth {
  const layers: BadFilesHealth['layers'] = {};
  const seen = new Set<string>();
  for (const layer of ['bronze', 'silver', 'gold', 'quarantine'] as const) {
    const mine = files.filter((f) => f.layer === layer && !seen.has(f.key) && seen.add(f.key));
    if (mine.length) layers[layer] = { count: mine.length, files: mine };
  }
  return { scope, count: seen.size, layers };
}
