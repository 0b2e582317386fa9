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

const quoted = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Column list cast to the registry's types, partition keys included, in registry order. */
function selectList(spec: DatasetSpec, fromNulls: boolean): string {
  const cols = spec.columns.map((c) => `${fromNulls ? 'NULL' : ident(c.name)}::${DUCKDB_TYPES[c.type]} AS ${ident(c.name)}`);
  const keys = spec.partitionKeys.map(
    (k) => `${fromNulls ? 'NULL' : ident(k.name)}::${k.type === 'int32' ? 'INTEGER' : 'VARCHAR'} AS ${ident(k.name)}`,
  );
  return [...cols, ...keys].join(', ');
}

/**
 * View DDL over the given data files (absolute paths or URLs), reading them with hive partitioning; with none it
 * is an empty, fully typed relation, so queries and joins work on a fresh lake. An explicit list rather than a
 * glob, because one unreadable file or unparsable folder under a glob fails every query of the view: the caller
 * lists only files it has checked (lib/lake/bad-files.ts).
 */
export function duckdbViewSql(spec: DatasetSpec, files: readonly string[]): string {
  const name = ident(tableName(spec));
  if (files.length === 0) return `CREATE OR REPLACE VIEW ${name} AS SELECT ${selectList(spec, true)} WHERE false`;
  const hiveTypes = spec.partitionKeys
    .map((k) => `${quoted(k.name)}: ${quoted(k.type === 'int32' ? 'INTEGER' : 'VARCHAR')}`)
    .join(', ');
  return (
    `CREATE OR REPLACE VIEW ${name} AS SELECT ${selectList(spec, false)} FROM read_parquet([${files.map(quoted).join(', ')}], ` +
    `hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`
  );
}
