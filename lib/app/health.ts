import { validateFeatures } from '../gold/validity';
import { badFileLine, scanLake, type BadFile } from '../lake/bad-files';
import { readTable, UnreadableFileError } from '../parquet/read';
import { dataset } from '../schema/registry';
import type { Layer, PartitionKeyName } from '../schema/types';
import { partitionSegmentProblem } from '../lake/partition-folders';
import type { QualityReport, Verdict } from '../silver/quality-report';
import { parseBronzeFileKey, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';

/**
 * Lake health (`lakehouse health`, the health Lambda): Bronze freshness per exchange and symbol, the latest
 * Silver quality reports, the feature validity of each symbol's latest Gold partition, and bad files. It walks
 * the lake by listing prefixes and reads only the newest folders, the reports of one date and one Gold file per
 * symbol — except on a local lake, where it also checks every data file (footers only, verdicts cached).
 */

/** Alarm when no Bronze was written for 10 minutes (docs/collector.md#heartbeat, README "Alarms and what to do"). */
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

export async function computeHealth(store: ObjectStore, nowMs: number, options: HealthOptions = {}): Promise<LakeHealth> {
  const staleAfterSeconds = options.staleAfterSeconds ?? BRONZE_STALE_AFTER_SECONDS;
  const problems: string[] = [];
  const bronze = await bronzeFreshness(store, nowMs, staleAfterSeconds);
  if (bronze.length === 0) problems.push('bronze: no 1m klines in the lake');
  for (const ex of bronze) {
    for (const freshness of ex.symbols) {
      if (!freshness.fresh) problems.push(`bronze ${ex.exchange} ${freshness.symbol}: newest file is ${formatAge(freshness.ageSeconds)} old (stale after ${formatAge(staleAfterSeconds)})`);
    }
  }
  const silver = await latestSilverReports(store, problems);
  for (const report of silver.reports) {
    if (report.verdict !== 'PASS') problems.push(`silver ${report.exchange} ${report.symbol} ${report.dt}: ${report.verdict} (${report.reasons.join('; ')})`);
  }
  const unreadableGold: BadFile[] = [];
  const gold = await latestGoldValidity(store, unreadableGold);
  for (const validity of gold) {
    if (validity.invalid > 0) problems.push(`gold ${validity.exchange} ${validity.symbol} ${validity.dt}: ${validity.invalid} invalid feature values (${validity.invalidFeatures.join(', ')})`);
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
    checkedAt: new Date(nowMs).toISOString(), ok: problems.length === 0, problems, staleAfterSeconds, bronze,
    silver: { dt: silver.dt, reports: silver.reports }, gold, badFiles,
  };
}

/** The unreadable Bronze files the latest Silver reports name, as bad files of their views. */
function recordedBronze(recorded: readonly { key: string; reason: string }[]): BadFile[] {
  return recorded.map(({ key, reason }) => ({ layer: 'bronze', view: `bronze_${key.split('/')[1]}`, key, reason }));
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

/**
 * Values of the `name=value/` folders directly below `prefix`, in key order (dates and hours ascending). Folders
 * whose value does not parse (`dt=notadate`) are not partitions: the bad-file check reports them.
 */
async function folderValues(store: ObjectStore, prefix: string, name: PartitionKeyName): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await store.listPrefixes(prefix)) {
    const seg = folder.slice(prefix.length, -1);
    if (seg.startsWith(`${name}=`) && !partitionSegmentProblem({ name }, seg)) out.push(seg.slice(name.length + 1));
  }
  return out;
}

/**
 * Freshness from 1m klines only: every source streams them and the collector writes them at every flush, so
 * they show whether the feed is alive at a few LIST calls per symbol. Per-stream liveness is the collector's
 * own heartbeat metrics' job.
 */
async function bronzeFreshness(store: ObjectStore, nowMs: number, staleAfterSeconds: number): Promise<ExchangeFreshness[]> {
  const spec = dataset('bronze', 'klines');
  const out: ExchangeFreshness[] = [];
  const root = partitionPrefix(spec, { timeframe: '1m' });
  for (const exchange of await folderValues(store, root, 'exchange')) {
    const symbols: SymbolFreshness[] = [];
    const exPrefix = `${root}exchange=${exchange}/`;
    for (const symbol of await folderValues(store, exPrefix, 'symbol')) {
      const newest = await newestBronzeFile(store, `${exPrefix}symbol=${symbol}/`);
      if (!newest) continue;
      const ageSeconds = Math.max(0, Math.round((nowMs - newest.at) / 1000));
      symbols.push({ symbol, newestKey: newest.key, newestAt: new Date(newest.at).toISOString(), basis: newest.basis, ageSeconds, fresh: ageSeconds <= staleAfterSeconds });
    }
    if (symbols.length === 0) continue;
    const ageSeconds = Math.min(...symbols.map((s) => s.ageSeconds));
    out.push({ exchange, ageSeconds, fresh: ageSeconds <= staleAfterSeconds, symbols });
  }
  return out;
}


/** The newest file of a symbol: in its newest dt/hour folder (folders are by event time). */
async function newestBronzeFile(store: ObjectStore, symbolPrefix: string): Promise<{ key: string; at: number; basis: 'written' | 'data' } | undefined> {
  for (const dt of (await folderValues(store, symbolPrefix, 'dt')).reverse()) {
    for (const hour of (await folderValues(store, `${symbolPrefix}dt=${dt}/`, 'hour')).reverse()) {
      let newest: { key: string; at: number; basis: 'written' | 'data' } | undefined;
      for (const object of await listAll(store, `${symbolPrefix}dt=${dt}/hour=${hour}/`)) {
        const file = parseBronzeFileKey(object.key);
        if (!file) continue;
        const start = file.startMs;
        // Backfilled data counts from when it happened, so a backfill cannot make a dead feed look fresh.
        const live = file.writer === 'live' && object.lastModified !== undefined;
        const candidate = live ? { key: object.key, at: object.lastModified!.getTime(), basis: 'written' as const } : { key: object.key, at: start, basis: 'data' as const };
        if (!newest || candidate.at > newest.at) newest = candidate;
      }
      if (newest) return newest;
    }
  }
  return undefined;
}

const REPORTS = 'reports/quality/';

/** The latest reports, and the unreadable Bronze files they record. */
async function latestSilverReports(store: ObjectStore, problems: string[]):
  Promise<LakeHealth['silver'] & { recorded: { key: string; reason: string }[] }> {
  const dt = (await folderValues(store, REPORTS, 'dt')).at(-1);
  if (dt === undefined) return { dt: null, reports: [], recorded: [] };
  const reports: SilverQuality[] = [];
  const recorded: { key: string; reason: string }[] = [];
  for (const object of await listAll(store, `${REPORTS}dt=${dt}/`)) {
    if (!object.key.endsWith('.json')) continue;
    let report: QualityReport;
    try {
      report = JSON.parse(Buffer.from(await store.get(object.key)).toString('utf8')) as QualityReport;
    } catch (err) {
      problems.push(`silver: unreadable quality report ${object.key} (${(err as Error).message})`);
      continue;
    }
    reports.push({
      exchange: report.exchange, symbol: report.symbol, dt: report.dt, verdict: report.verdict, completenessPercent: report.klines_1m.completeness * 100,
      reasons: report.reasons, builtAt: report.builtAt,
    });
    recorded.push(...(report.unreadableFiles ?? []));
  }
  return { dt, reports, recorded };
}

/** A symbol whose newest Gold file cannot be read shows its newest readable one; the bad one goes to `unreadable`. */
async function latestGoldValidity(store: ObjectStore, unreadable: BadFile[]): Promise<GoldValidity[]> {
  const spec = dataset('gold', 'features_1m');
  const root = partitionPrefix(spec, {});
  const out: GoldValidity[] = [];
  for (const exchange of await folderValues(store, root, 'exchange')) {
    for (const symbol of await folderValues(store, `${root}exchange=${exchange}/`, 'symbol')) {
      const symbolPrefix = `${root}exchange=${exchange}/symbol=${symbol}/`;
      for (const dt of (await folderValues(store, symbolPrefix, 'dt')).reverse()) {
        const key = `${symbolPrefix}dt=${dt}/data.parquet`;
        // Listing, not HEAD: without bucket-wide s3:ListBucket, S3 answers a HEAD of a missing key with 403.
        if (!(await listAll(store, key)).some((f) => f.key === key)) continue;
        let table;
        try {
          table = await readTable(store, spec, key);
        } catch (err) {
          if (!(err instanceof UnreadableFileError)) throw err;
          unreadable.push({ layer: 'gold', view: 'gold_features_1m', key, reason: err.reason });
          continue;
        }
        const validity = validateFeatures(table);
        const dataOk = table.bool('data_ok').filter(Boolean).length;
        out.push({
          exchange, symbol, dt, rows: table.length, dataOkPercent: table.length ? (dataOk / table.length) * 100 : 0, nulls: validity.nulls, invalid: validity.invalid + validity.unexpectedNulls,
          invalidFeatures: Object.entries(validity.byFeature).filter(([, f]) => f.invalid > 0 || f.unexpectedNulls > 0).map(([name]) => name),
        });
        break;
      }
    }
  }
  return out;
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

const pct = (v: number) => `${v.toFixed(2)} %`;

/** The health as Markdown, for `lakehouse health` and humans reading a Lambda's result. */
export function healthMarkdown(health: LakeHealth): string {
  const lines = [
    `# Lake health: ${health.ok ? 'OK' : `${health.problems.length} problem${health.problems.length === 1 ? '' : 's'}`}`,
    '',
    `_Checked ${health.checkedAt}_`,
    '',
    ...health.problems.map((p) => `- ${p}`),
    ...(health.problems.length ? [''] : []),
    `## Bronze freshness (1m klines, stale after ${formatAge(health.staleAfterSeconds)})`,
    '',
  ];
  if (health.bronze.length === 0) lines.push('No Bronze 1m klines.', '');
  else {
    lines.push('| exchange | symbol | newest | age | status |', '|---|---|---|---|---|');
    for (const ex of health.bronze) {
      for (const freshness of ex.symbols) lines.push(`| ${ex.exchange} | ${freshness.symbol} | ${freshness.newestAt} (${freshness.basis}) | ${formatAge(freshness.ageSeconds)} | ${freshness.fresh ? 'fresh' : '**stale**'} |`);
    }
    lines.push('');
  }
  lines.push(`## Silver quality${health.silver.dt ? ` (dt=${health.silver.dt})` : ''}`, '');
  if (health.silver.reports.length === 0) lines.push('No quality reports.', '');
  else {
    lines.push('| exchange | symbol | verdict | completeness | reasons |', '|---|---|---|---|---|');
    for (const report of health.silver.reports) lines.push(`| ${report.exchange} | ${report.symbol} | ${report.verdict} | ${pct(report.completenessPercent)} | ${report.reasons.join('; ')} |`);
    lines.push('');
  }
  lines.push('## Gold feature validity (latest readable partition per symbol)', '');
  if (health.gold.length === 0) lines.push('No Gold features.', '');
  else {
    lines.push('| exchange | symbol | dt | rows | data_ok | invalid values |', '|---|---|---|---|---|---|');
    for (const validity of health.gold) lines.push(`| ${validity.exchange} | ${validity.symbol} | ${validity.dt} | ${validity.rows} | ${pct(validity.dataOkPercent)} | ${validity.invalid}${validity.invalid ? ` (${validity.invalidFeatures.join(', ')})` : ''} |`);
    lines.push('');
  }
  const badFiles = health.badFiles;
  lines.push(`## Bad files (${badFiles.scope === 'lake' ? 'every data file checked' : 'as recorded by the latest builds'})`, '');
  if (badFiles.count === 0) lines.push('None.', '');
  else {
    lines.push('| layer | view | file or folder | reason |', '|---|---|---|---|');
    for (const [layer, { files }] of Object.entries(badFiles.layers)) {
      for (const file of files) {
        lines.push(`| ${layer} | ${file.view} | \`${file.key}\`${file.files === undefined ? '' : ` (${file.files} files)`} | ${file.reason} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
