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
  /** Share (%) of a build stage's partitions (and of a history load's files) that may fail before the run stops. */
  buildToleratedFailurePercent: number;
  /**
   * Archive files a history load imports at once (one Lambda each). Default 40: 4 % of an account's default Lambda
   * concurrency, and a rate the archive's CDN serves (docs/scaling.md, "History load").
   */
  historyConcurrency: number;
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
  collectors: [{ name: 'binance', region: '', enabled: true, sources: [{ source: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'] }] }],
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
  historyConcurrency: 40,
  historyStart: '2017-01-01',
  logRetentionDays: 30,
  extraSymbols: [],
  catalogSchedule: 'cron(50 * * * ? *)',
};

export type ContextReader = (key: string) => unknown;

/** Context values given with `-c` arrive as strings; JSON-looking strings are parsed. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^[[{]/.test(text) || /^(true|false|-?\d+(\.\d+)?)$/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return value;
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
    const value = get(key);
    if (value !== undefined && value !== null) cfg[key] = parsed(value);
  }
  return validateConfig(cfg as unknown as LakehouseConfig);
}

const fail = (key: string, why: string): never => {
  throw new Error(`cdk context '${key}': ${why}`);
};

export function validateConfig(config: LakehouseConfig): LakehouseConfig {
  for (const [key, def] of Object.entries(DEFAULT_CONFIG)) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (typeof def === 'number' && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
      fail(key, `expected a non-negative number, got ${JSON.stringify(value)}`);
    if (typeof def === 'boolean' && typeof value !== 'boolean') fail(key, `expected true or false, got ${JSON.stringify(value)}`);
    if (typeof def === 'string' && typeof value !== 'string') fail(key, `expected a string, got ${JSON.stringify(value)}`);
  }
  if (!Array.isArray(config.extraSymbols) || config.extraSymbols.some((s) => typeof s !== 'string'))
    fail('extraSymbols', 'expected a list of symbols');
  if (!/^[a-z0-9][a-z0-9-]{1,30}$/.test(config.lakeName))
    fail('lakeName', 'lower-case letters, digits and dashes, up to 31 characters');
  if (config.bronzeRetentionDays < 1) fail('bronzeRetentionDays', 'must be at least 1');
  if (!Number.isInteger(config.silverMemoryMiB) || config.silverMemoryMiB < 1024 || config.silverMemoryMiB > 10_240)
    fail('silverMemoryMiB', "a whole number of MiB from 1024 to 10240 (Lambda's range)");
  if (!Number.isInteger(config.buildConcurrency) || config.buildConcurrency < 1 || config.buildConcurrency > 10_000)
    fail('buildConcurrency', 'a whole number from 1 to 10000');
  if (!Number.isInteger(config.historyConcurrency) || config.historyConcurrency < 1 || config.historyConcurrency > 10_000)
    fail('historyConcurrency', 'a whole number from 1 to 10000');
  if (config.buildToleratedFailurePercent > 100) fail('buildToleratedFailurePercent', 'a percentage from 0 to 100');
  if (config.alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.alarmEmail))
    fail('alarmEmail', `not an e-mail address: ${config.alarmEmail}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(config.historyStart)) fail('historyStart', 'expected YYYY-MM-DD');
  if (config.destroyDataOnDelete && config.adoptRetainedLake) {
    fail(
      'adoptRetainedLake',
      'an adopted bucket and database are not part of the stack, so destroyDataOnDelete could not delete them; ' + 'set only one',
    );
  }
  if (!Array.isArray(config.collectors)) fail('collectors', 'expected a list of collector groups');
  const names = new Set<string>();
  for (const group of config.collectors) {
    if (!group || typeof group.name !== 'string' || !/^[a-z0-9-]{1,20}$/.test(group.name))
      fail('collectors', `group name ${JSON.stringify(group?.name)} must be 1-20 lower-case letters, digits or dashes`);
    if (names.has(group.name)) fail('collectors', `duplicate group name ${group.name}`);
    names.add(group.name);
    if (!Array.isArray(group.sources) || group.sources.length === 0) fail('collectors', `group ${group.name} has no sources`);
    for (const source of group.sources) {
      if (!Array.isArray(source.symbols) || source.symbols.length === 0)
        fail('collectors', `group ${group.name}: source ${source.source} has no symbols`);
    }
    if (group.enabled !== false && group.region && !config.lakeRegion)
      fail(
        'lakeRegion',
        `collector group ${group.name} runs in ${group.region}, so the lake's region must be set (e.g. -c lakeRegion=eu-west-1)`,
      );
  }
  return config;
}

/** Enabled collector groups. */
export const enabledGroups = (c: LakehouseConfig): CollectorGroupConfig[] => c.collectors.filter((g) => g.enabled !== false);

/** Path-safe symbols the lake will hold (collected and extra): the values Athena projects for `symbol`. */
export function projectedSymbols(config: LakehouseConfig): string[] {
  const symbols = new Set<string>(config.extraSymbols.map((s) => symbolPathValue(s.toUpperCase())));
  // Disabled groups are left out: what they once wrote is in the lake, and the catalog job projects that.
  for (const group of enabledGroups(config))
    for (const source of group.sources) for (const sym of source.symbols) symbols.add(symbolPathValue(sym.toUpperCase()));
  return [...symbols].sort();
}

/** Exchanges the collectors write: the values Athena projects for `exchange` before the lake holds others. */
export function projectedExchanges(config: LakehouseConfig): ExchangeId[] {
  return [...new Set(enabledGroups(config).flatMap((g) => g.sources.map((s) => sourceExchange(s.source))))].sort();
}
