import { KLINE_TIMEFRAMES, timeframeMs, type KlineTimeframe } from '../schema/columns';
import { UNTRUSTED_FLAGS } from '../schema/quality-flags';
import { columnNames, dataset, tableName } from '../schema/registry';
import type { DatasetSpec } from '../schema/types';
import { UserError } from '../util/errors';

/**
 * Which view `lakehouse slice` reads for a layer and timeframe, and which of its columns it exports
 * (docs/slice.md).
 */

export const SLICE_TIMEFRAMES = ['1s', ...KLINE_TIMEFRAMES] as const;
export type SliceTimeframe = (typeof SLICE_TIMEFRAMES)[number];
export const SLICE_LAYERS = ['silver', 'gold'] as const;
export type SliceLayer = (typeof SLICE_LAYERS)[number];

/** The two columns every slice carries, whatever --columns says. */
export const QUALITY_COLUMNS = ['data_ok', 'quality_flags'] as const;

export interface SliceSource {
  spec: DatasetSpec;
  /** The DuckDB view, `{layer}_{dataset}`. */
  view: string;
  /** The view as messages name it: with the timeframe when the view holds several. */
  label: string;
  /** The column the time grid is matched on: the bar's start (open_time, or ts for 1 s bars). */
  timeColumn: string;
  /** SQL conditions (over the view's columns) that pick the timeframe out of a view holding several. */
  filters: string[];
  stepMs: number;
  /** SQL for `data_ok` of a row of the view aliased `alias` (false for a grid time the view has no row for). */
  dataOk(alias: string): string;
}

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Silver and Gold OHLCV have no data_ok column: a row is OK when it has none of the flags Gold's data_ok refuses. */
const untrustedFlagsAbsent = (alias: string) => `coalesce((${alias}.quality_flags & ${UNTRUSTED_FLAGS}) = 0, false)`;

export function sliceSource(layer: SliceLayer, tf: SliceTimeframe): SliceSource {
  const source = (spec: DatasetSpec, filters: string[], dataOk: (alias: string) => string): SliceSource => ({
    spec,
    view: tableName(spec),
    label: filters.length ? `${tableName(spec)} (${tf})` : tableName(spec),
    timeColumn: spec.timeColumn,
    filters,
    stepMs: tf === '1s' ? 1000 : timeframeMs(tf),
    dataOk,
  });
  if (layer === 'silver') {
    if (tf === '1s') return source(dataset('silver', 'bars_1s'), [], untrustedFlagsAbsent);
    return source(dataset('silver', 'klines'), [`timeframe = '${tf}'`], untrustedFlagsAbsent);
  }
  if (tf === '1s') throw new UserError('Gold has no 1s rows: use --layer silver for 1-second bars');
  if (tf === '1m') return source(dataset('gold', 'features_1m'), [], (alias) => `coalesce(${alias}.data_ok, false)`);
  return source(dataset('gold', `ohlcv_${tf satisfies KlineTimeframe}`), [], untrustedFlagsAbsent);
}

/**
 * The value columns a slice exports besides the grid time and the quality columns: the ones named (each checked
 * against the dataset), or every column of the dataset but its time column (the grid time stands for it).
 */
export function sliceColumns(source: SliceSource, wanted: readonly string[] | undefined): string[] {
  const all = columnNames(source.spec);
  const quality: readonly string[] = QUALITY_COLUMNS;
  if (!wanted) return all.filter((c) => c !== source.timeColumn && !quality.includes(c));
  for (const name of wanted) {
    if (all.includes(name) || quality.includes(name)) continue;
    const known = all.length <= 30 ? `: ${all.join(', ')}` : ' (lakehouse features lists them)';
    throw new UserError(`unknown column '${name}': ${source.view} has no such column${known}`);
  }
  return [...new Set(wanted)].filter((c) => !quality.includes(c));
}

/** The SQL of an exported column of the view aliased `alias` (every sliced dataset has quality_flags). */
export function columnSql(source: SliceSource, alias: string, column: string): string {
  return column === 'data_ok' ? source.dataOk(alias) : `${alias}.${ident(column)}`;
}
