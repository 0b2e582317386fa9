import { tableName } from '../registry';
import type { ColumnType, DatasetSpec } from '../types';

/** DuckDB views over a lake folder, named and typed like the Glue tables. */

export const DUCKDB_TYPES: Record<ColumnType, string> = {
  timestamp: 'TIMESTAMP',
  double: 'DOUBLE',
  int64: 'BIGINT',
  int32: 'INTEGER',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
};

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Glob matching every data file of the dataset under `root` (a folder path or s3:// URL). */
export function datasetGlob(d: DatasetSpec, root: string): string {
  const depth = d.partitionKeys.length;
  return `${root.replace(/\/$/, '')}/${d.layer}/${d.name}/${Array(depth).fill('*').join('/')}/*.parquet`;
}

/** Column list cast to the registry's types, partition keys included, in registry order. */
function selectList(d: DatasetSpec, fromNulls: boolean): string {
  const cols = d.columns.map((c) => `${fromNulls ? 'NULL' : ident(c.name)}::${DUCKDB_TYPES[c.type]} AS ${ident(c.name)}`);
  const keys = d.partitionKeys.map((k) => `${fromNulls ? 'NULL' : ident(k.name)}::${k.type === 'int32' ? 'INTEGER' : 'VARCHAR'} AS ${ident(k.name)}`);
  return [...cols, ...keys].join(', ');
}

/**
 * View DDL. With files present it reads them with hive partitioning; with none it is an empty, fully typed
 * relation, so queries and joins work on a fresh lake.
 */
export function duckdbViewSql(d: DatasetSpec, root: string, hasFiles: boolean): string {
  const name = ident(tableName(d));
  if (!hasFiles) return `CREATE OR REPLACE VIEW ${name} AS SELECT ${selectList(d, true)} WHERE false`;
  const hiveTypes = d.partitionKeys.map((k) => `${q(k.name)}: ${q(k.type === 'int32' ? 'INTEGER' : 'VARCHAR')}`).join(', ');
  return `CREATE OR REPLACE VIEW ${name} AS SELECT ${selectList(d, false)} FROM read_parquet(${q(datasetGlob(d, root))}, ` +
    `hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
}
