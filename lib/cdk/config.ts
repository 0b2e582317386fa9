import { sourceExchange, type SourceId } from '../exchanges/registry';
import type { ExchangeId } from '../schema/columns';
import { symbolPathValue } from '../storage/lake-paths';

/**
 * Deployment settings, read from `cdk.json` context (override any with `-c key=value`). Every setting has a
 * default; validation fails synth with a message naming the setting.
 */

export interface CollectorSourceConfig {
  source: SourceId;
  symbols: string[];
}

/**
 * A group of exchanges collected by one Fargate task. `region` empty: the task runs in the lake's stack and
 * region. Otherwise it gets its own stack in that region (Binance.com refuses US addresses; Binance US serves
 * only the US), writing to the lake bucket by name.
 */
export interface CollectorGroupConfig {
  name: string;
  region: string;
  enabled: boolean;
  sources: CollectorSourceConfig[];
}

export interface LakehouseConfig {
  /** Prefix of resource names; the lake bucket is `{lakeName}-{account}-{lakeRegion}`. */
  lakeName: string;
  /** Region of the lake stack; required when a collector group runs in another region. */
  lakeRegion: string;
  collectors: CollectorGroupConfig[];
  bronzeRetentionDays: number;
  athenaResultsRetentionDays: number;
  noncurrentVersionDays: number;
  /** When the daily build (Silver, then Gold, of yesterday's partitions) starts. */
  buildSchedule: string;
  selfHealSchedule: string;
  selfHealHours: number;
  alarmEmail: string;
  collectorCpu: number;
  collectorMemoryMiB: number;
  collectorSpot: boolean;
  athenaScanLimitGb: number;
  /**
   * The removal switch: delete the buckets (emptied first), the Glue database and every log group with the stack.
   * Off, they outlive `cdk destroy`, and a later deploy needs `adoptRetainedLake`.
   */
  destroyDataOnDelete: boolean;
  /**
   * Use the lake bucket and Glue database an earlier deployment left behind (found by their fixed names) instead
   * of creating them, which would fail because the names are taken.
   */
  adoptRetainedLake: boolean;
  /** Memory of the Silver Lambda: its peak grows with a symbol-day's trades and quotes (docs/scaling.md, "Sizing"). */
  silverMemoryMiB: number;
  /**
   * Partitions a build (daily or rebuild) runs at once per stage. Default 50: about what one S3 prefix serves to
   * Gold's reads, and 5 % of an account's default Lambda concurrency (docs/scaling.md, "Sizing").
   */
  buildConcurrency: number;
  /** Share (%) of a build stage's partitions that may fail before the build stops. */
  buildToleratedFailurePercent: number;
  /** First date Athena projects for `dt` (history imports may go back this far). */
  historyStart: string;
  logRetentionDays: number;
  /**
   * Symbols Athena projects besides the collected ones before any data arrives. The catalog job adds every
   * symbol the lake holds anyway, within the hour.
   */
  extraSymbols: string[];
  /** When the catalog job brings the Glue tables' projected exchanges, symbols and timeframes in step with the lake. */
  catalogSchedule: string;
}

export const DEFAULT_CONFIG: LakehouseConfig = {
  lakeName: 'crypto-lakehouse',
  lakeRegion: '',
  collectors: [
    { name: 'binance', region: '', enabled: true, sources: [{ source: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'] }] },
  ],
  bronzeRetentionDays: 7,
  athenaResultsRetentionDays: 7,
  noncurrentVersionDays: 30,
  buildSchedule: 'cron(0 1 * * ? *)',
  selfHealSchedule: 'cron(20 * * * ? *)',
  selfHealHours: 3,
  alarmEmail: '',
  collectorCpu: 512,
  collectorMemoryMiB: 1024,
  collectorSpot: true,
  athenaScanLimitGb: 10,
  destroyDataOnDelete: false,
  adoptRetainedLake: false,
  silverMemoryMiB: 6144,
  buildConcurrency: 50,
  buildToleratedFailurePercent: 5,
  historyStart: '2017-01-01',
  logRetentionDays: 30,
  extraSymbols: [],
  catalogSchedule: 'cron(50 * * * ? *)',
};

export type ContextReader = (key: string) => unknown;

/** Context values given with `-c` arrive as strings; JSON-looking strings are parsed. */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (/^[[{]/.test(t) || /^(true|false|-?\d+(\.\d+)?)$/.test(t)) {
    try { return JSON.parse(t); } catch { return v; }
  }
  return v;
}

/** Settings of earlier versions, refused with what replaced them (a silently ignored setting is worse). */
const REPLACED: Record<string, string> = {
  silverSchedule: 'buildSchedule (one daily build runs Silver, then Gold)',
  goldSchedule: 'buildSchedule (one daily build runs Silver, then Gold)',
  rebuildConcurrency: 'buildConcurrency',
};

export function readConfig(get: ContextReader): LakehouseConfig {
  for (const [old, now] of Object.entries(REPLACED)) if (get(old) !== undefined) fail(old, `no longer used: set ${now}`);
  const cfg: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(DEFAULT_CONFIG)) {
    const v = get(key);
    if (v !== undefined && v !== null) cfg[key] = parsed(v);
  }
  return validateConfig(cfg as unknown as LakehouseConfig);
}

const fail = (key: string, why: string): never => { throw new Error(`cdk context '${key}': ${why}`); };

export function validateConfig(c: LakehouseConfig): LakehouseConfig {
  for (const [k, def] of Object.entries(DEFAULT_CONFIG)) {
    const v = (c as unknown as Record<string, unknown>)[k];
    if (typeof def === 'number' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) fail(k, `expected a non-negative number, got ${JSON.stringify(v)}`);
    if (typeof def === 'boolean' && typeof v !== 'boolean') fail(k, `expected true or false, got ${JSON.stringify(v)}`);
    if (typeof def === 'string' && typeof v !== 'string') fail(k, `expected a string, got ${JSON.stringify(v)}`);
  }
  if (!Array.isArray(c.extraSymbols) || c.extraSymbols.some((s) => typeof s !== 'string')) fail('extraSymbols', 'expected a list of symbols');
  if (!/^[a-z0-9][a-z0-9-]{1,30}$/.test(c.lakeName)) fail('lakeName', 'lower-case letters, digits and dashes, up to 31 characters');
  if (c.bronzeRetentionDays < 1) fail('bronzeRetentionDays', 'must be at least 1');
  if (!Number.isInteger(c.silverMemoryMiB) || c.silverMemoryMiB < 1024 || c.silverMemoryMiB > 10_240) fail('silverMemoryMiB', 'a whole number of MiB from 1024 to 10240 (Lambda\'s range)');
  if (!Number.isInteger(c.buildConcurrency) || c.buildConcurrency < 1 || c.buildConcurrency > 10_000) fail('buildConcurrency', 'a whole number from 1 to 10000');
  if (c.buildToleratedFailurePercent > 100) fail('buildToleratedFailurePercent', 'a percentage from 0 to 100');
  if (c.alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.alarmEmail)) fail('alarmEmail', `not an e-mail address: ${c.alarmEmail}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(c.historyStart)) fail('historyStart', 'expected YYYY-MM-DD');
  if (c.destroyDataOnDelete && c.adoptRetainedLake) {
    fail('adoptRetainedLake', 'an adopted bucket and database are not part of the stack, so destroyDataOnDelete could not delete them; '
      + 'set only one');
  }
  if (!Array.isArray(c.collectors)) fail('collectors', 'expected a list of collector groups');
  const names = new Set<string>();
  for (const g of c.collectors) {
    if (!g || typeof g.name !== 'string' || !/^[a-z0-9-]{1,20}$/.test(g.name)) fail('collectors', `group name ${JSON.stringify(g?.name)} must be 1-20 lower-case letters, digits or dashes`);
    if (names.has(g.name)) fail('collectors', `duplicate group name ${g.name}`);
    names.add(g.name);
    if (!Array.isArray(g.sources) || g.sources.length === 0) fail('collectors', `group ${g.name} has no sources`);
    for (const s of g.sources) {
      if (!Array.isArray(s.symbols) || s.symbols.length === 0) fail('collectors', `group ${g.name}: source ${s.source} has no symbols`);
    }
    if (g.enabled !== false && g.region && !c.lakeRegion) fail('lakeRegion', `collector group ${g.name} runs in ${g.region}, so the lake's region must be set (e.g. -c lakeRegion=eu-west-1)`);
  }
  return c;
}

/** Enabled collector groups. */
export const enabledGroups = (c: LakehouseConfig): CollectorGroupConfig[] => c.collectors.filter((g) => g.enabled !== false);

/** Path-safe symbols the lake will hold (collected and extra): the values Athena projects for `symbol`. */
export function projectedSymbols(c: LakehouseConfig): string[] {
  const symbols = new Set<string>(c.extraSymbols.map((s) => symbolPathValue(s.toUpperCase())));
  // Disabled groups are left out: what they once wrote is in the lake, and the catalog job projects that.
  for (const g of enabledGroups(c)) for (const s of g.sources) for (const sym of s.symbols) symbols.add(symbolPathValue(sym.toUpperCase()));
  return [...symbols].sort();
}

/** Exchanges the collectors write: the values Athena projects for `exchange` before the lake holds others. */
export function projectedExchanges(c: LakehouseConfig): ExchangeId[] {
  return [...new Set(enabledGroups(c).flatMap((g) => g.sources.map((s) => sourceExchange(s.source))))].sort();
}
