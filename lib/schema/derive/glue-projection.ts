import { KLINE_TIMEFRAMES, LIVE_KLINE_TIMEFRAMES } from '../columns';
import type { DatasetSpec, PartitionKeyName } from '../types';

/**
 * Athena partition projection of a dataset's Glue table, as the table parameters Glue stores. The CDK catalog
 * writes them into the template and the catalog job rewrites the enum values as the lake grows, both through
 * these functions, so the two never disagree on a key's type, range or spelling.
 */

/** Partition keys projected as enums of the values the lake holds; the catalog job keeps these in step. */
export const ENUM_KEYS = ['timeframe', 'exchange', 'symbol'] as const satisfies readonly PartitionKeyName[];
export type EnumKey = (typeof ENUM_KEYS)[number];

export type EnumValues = Readonly<Record<EnumKey, readonly string[]>>;

export interface ProjectionSettings {
  /** First date projected for `dt` outside Bronze, YYYY-MM-DD. */
  historyStart: string;
  bronzeRetentionDays: number;
}

const DT_FORMAT = 'yyyy-MM-dd';

export const isEnumKey = (k: string): k is EnumKey => (ENUM_KEYS as readonly string[]).includes(k);

export const enumValuesKey = (k: EnumKey) => `projection.${k}.values`;

/**
 * Bronze expires `retentionDays` after a file's creation, at the next midnight UTC, and a file flushed just
 * after midnight holds the previous day's last events: so Bronze holds up to retention + 1 days before today.
 */
export const bronzeDateRange = (retentionDays: number) => `NOW-${retentionDays + 1}DAYS,NOW`;

/** Timeframes a dataset holds before anything else arrives: Bronze what the collector writes, else the registry's. */
export function baseTimeframes(spec: DatasetSpec): readonly string[] {
  if (!spec.timeframes) return [];
  return spec.layer === 'bronze' ? LIVE_KLINE_TIMEFRAMES : spec.timeframes;
}

const TIMEFRAME_ORDER = new Map<string, number>(KLINE_TIMEFRAMES.map((t, i) => [t, i]));

/** Timeframes shortest first (as the registry lists them), unknown ones after; other values sorted. */
function ordered(k: EnumKey, values: Iterable<string>): string[] {
  const unique = [...new Set(values)];
  if (k !== 'timeframe') return unique.sort();
  const rank = (t: string) => TIMEFRAME_ORDER.get(t) ?? KLINE_TIMEFRAMES.length;
  return unique.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The enum values of a dataset's table: what the deployment configures (its exchanges and path-safe symbols,
 * the base timeframes) plus what the lake holds. Only the keys the dataset has are filled.
 */
export function enumValues(
  spec: DatasetSpec,
  configured: { exchanges: readonly string[]; symbols: readonly string[] },
  lake: Partial<Record<EnumKey, Iterable<string>>> = {},
): EnumValues {
  const has = (k: EnumKey) => spec.partitionKeys.some((p) => p.name === k);
  const base: EnumValues = { timeframe: baseTimeframes(spec), exchange: configured.exchanges, symbol: configured.symbols };
  const out = { timeframe: [], exchange: [], symbol: [] } as Record<EnumKey, string[]>;
  for (const k of ENUM_KEYS) if (has(k)) out[k] = ordered(k, [...base[k], ...(lake[k] ?? [])]);
  return out;
}

/** `projection.<key>.values` of the dataset's enum keys (keys without any value are left out: Glue would refuse them). */
export function enumParameters(spec: DatasetSpec, values: EnumValues): Record<string, string> {
  const params: Record<string, string> = {};
  for (const k of spec.partitionKeys) {
    if (isEnumKey(k.name) && values[k.name].length) params[enumValuesKey(k.name)] = values[k.name].join(',');
  }
  return params;
}

/** Every projection parameter of the dataset's table. */
export function projectionParameters(
  spec: DatasetSpec,
  values: EnumValues,
  settings: ProjectionSettings,
): Record<string, string> {
  const params: Record<string, string> = { 'projection.enabled': 'true' };
  const enums = enumParameters(spec, values);
  for (const k of spec.partitionKeys) {
    const key = `projection.${k.name}`;
    switch (k.name) {
      case 'timeframe':
      case 'exchange':
      case 'symbol':
        if (!enums[enumValuesKey(k.name)]) throw new Error(`${spec.layer}_${spec.name}: no ${k.name} values to project`);
        params[`${key}.type`] = 'enum';
        params[`${key}.values`] = enums[enumValuesKey(k.name)];
        break;
      case 'dt':
        params[`${key}.type`] = 'date';
        params[`${key}.format`] = DT_FORMAT;
        params[`${key}.range`] =
          spec.layer === 'bronze' ? bronzeDateRange(settings.bronzeRetentionDays) : `${settings.historyStart},NOW`;
        break;
      case 'hour':
        params[`${key}.type`] = 'integer';
        params[`${key}.range`] = '0,23';
        params[`${key}.digits`] = '2';
        break;
    }
  }
  return params;
}
