import { DATASETS, QUARANTINE_DATASETS } from './datasets';
import type { ColumnSpec, DatasetSpec, Layer } from './types';

/** Lookups over the dataset definitions. */

const ALL: readonly DatasetSpec[] = [...DATASETS, ...QUARANTINE_DATASETS];
const byTable = new Map(ALL.map((d) => [tableName(d), d]));

/** Table name used by Glue and by the DuckDB views: `{layer}_{dataset}`. */
export function tableName(spec: Pick<DatasetSpec, 'layer' | 'name'>): string {
  return `${spec.layer}_${spec.name}`;
}

export function allDatasets(layer?: Layer): readonly DatasetSpec[] {
  return layer ? ALL.filter((d) => d.layer === layer) : ALL;
}

export function dataset(layer: Layer, name: string): DatasetSpec {
  const spec = byTable.get(`${layer}_${name}`);
  if (!spec) throw new Error(`unknown dataset ${layer}/${name}`);
  return spec;
}

export function findDataset(layer: Layer, name: string): DatasetSpec | undefined {
  return byTable.get(`${layer}_${name}`);
}

export function column(spec: DatasetSpec, name: string): ColumnSpec {
  const c = spec.columns.find((col) => col.name === name);
  if (!c) throw new Error(`dataset ${tableName(spec)} has no column ${name}`);
  return c;
}

export function columnNames(spec: DatasetSpec): string[] {
  return spec.columns.map((c) => c.name);
}
