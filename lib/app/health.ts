import { badFileLine, scanLake, type BadFile } from '../lake/bad-files';
import type { Layer } from '../schema/types';
import type { Verdict } from '../silver/quality-report';
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

/** SPEC §7: alarm when no Bronze was written for 10 minutes. */
export const BRONZE_STALE_AFTER_SECONDS = 600;

export interface SymbolFreshness {
  symbol: string;
  newestKey: string;
  /** ISO time the age counts from. */
  newestAt: string;
  /**
   * `written`: a collector file's write time (object lastModified). `data`: the first event time of a REST
   * backfill or archive file (from its key), because writing old data says nothing about the live feed.
   */
  basis: 'written' | 'data';
  ageSeconds: number;
  fresh: boolean;
}

export interface ExchangeFreshness {
  exchange: string;
  /** Age of the exchange's newest Bronze file (its freshest symbol). */
  ageSeconds: number;
  fresh: boolean;
  symbols: SymbolFreshness[];
}

export interface SilverQuality {
  exchange: string;
  symbol: string;
  dt: string;
  verdict: Verdict;
  completenessPercent: number;
  reasons: string[];
  builtAt: string;
}

export interface GoldValidity {
  exchange: string;
  symbol: string;
  dt: string;
  rows: number;
  dataOkPercent: number;
  nulls: number;
  invalid: number;
  /** Features holding at least one infinite or out-of-range value. */
  invalidFeatures: string[];
}

export interface LakeHealth {
  checkedAt: string;
  ok: boolean;
  /** One line per finding; empty when `ok`. */
  problems: string[];
  staleAfterSeconds: number;
  bronze: ExchangeFreshness[];
  /** Reports of the newest date that has any (`dt` null when Silver never ran). */
  silver: { dt: string | null; reports: SilverQuality[] };
  gold: GoldValidity[];
  badFiles: BadFilesHealth;
}

/** Files no reader can use (docs/bad-files.md); any makes the lake unhealthy. */
export interface BadFilesHealth {
  /**
   * `lake`: every data file of every layer was checked (a local lake). `recorded`: only the Bronze files the
   * latest Silver build recorded as unreadable and the Gold files health reads itself — checking every file of
   * an S3 lake would read every object's footer every 15 minutes, and the health role may not read Bronze.
   */
  scope: 'lake' | 'recorded';
  count: number;
  layers: Partial<Record<Layer, { count: number; files: BadFile[] }>>;
}

export interface HealthOptions {
  staleAfterSeconds?: number;
  /** Check every data file's footer (default: on a local lake only). */
  checkEveryFile?: boolean;
}

/** Problem lines name at most this many files per layer; `badFiles` lists them all. */
const NAMED_PER_LAYER = 5;

export async function computeHealth(store: ObjectStore, nowMs: number, o: HealthOptions = {}): Promise<LakeHealth> {
  const staleAfterSeconds = o.staleAfterSeconds ?? BRONZE_STALE_AFTER_SECONDS;
  const problems: string[] = [];
  const bronze = await bronzeFreshness(store, nowMs, staleAfterSeconds);
  if (bronze.length === 0) problems.push('bronze: no 1m klines in the lake');
  for (const ex of bronze) {
    for (const s of ex.symbols) {
      if (!s.fresh) problems.push(`bronze ${ex.exchange} ${s.symbol}: newest file is ${formatAge(s.ageSeconds)} old (stale after ${formatAge(staleAfterSeconds)})`);
    }
  }
  const silver = await latestSilverReports(store, problems);
  for (const r of silver.reports) {
    if (r.verdict !== 'PASS') problems.push(`silver ${r.exchange} ${r.symbol} ${r.dt}: ${r.verdict} (${r.reasons.join('; ')})`);
  }
  const unreadableGold: BadFile[] = [];
  const gold = await latestGoldValidity(store, unreadableGold);
  for (const g of gold) {
    if (g.invalid > 0) problems.push(`gold ${g.exchange} ${g.symbol} ${g.dt}: ${g.invalid} invalid feature values (${g.invalidFeatures.join(', ')})`);
  }
  const everyFile = o.checkEveryFile ?? store.localRoot !== undefined;
  const found = everyFile ? (await scanLake(store)).flatMap((d) => d.bad) : recordedBronze(silver.recorded);
  const badFiles = groupBadFiles(everyFile ? 'lake' : 'recorded', [...found, ...unreadableGold]);
  for (const [layer, { count, files }] of Object.entries(badFiles.layers)) {
    const named = files.slice(0, NAMED_PER_LAYER).map(badFileLine).join('; ');
    const more = count > NAMED_PER_LAYER ? `; and ${count - NAMED_PER_LAYER} more` : '';
    problems.push(`${layer}: ${count} bad file${count === 1 ? '' : 's'}: ${named}${more}`);
  }
  return {
    checkedAt: new Date(nowMs).toISOString(), ok: problems.length === 0, problems, staleAfterSeconds, bronze,
    silver: { dt: silver.dt, reports: silver.reports }, gold, badFiles,
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
