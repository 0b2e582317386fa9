import type { ColumnType, DatasetSpec } from '../types';

/** Glue/Athena (Hive DDL) view of a dataset: data columns and partition keys. */

export interface GlueColumn {
  name: string;
  type: string;
  comment: string;
}

const GLUE_TYPES: Record<ColumnType, string> = {
  timestamp: 'timestamp',
  double: 'double',
  int64: 'bigint',
  int32: 'int',
  boolean: 'boolean',
  string: 'string',
};

/** Glue limits a column comment to 255 characters. */
const comment = (s: string) => (s.length > 255 ? `${s.slice(0, 252)}...` : s);

export function glueColumns(spec: DatasetSpec): GlueColumn[] {
  return spec.columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.type], comment: comment(c.description) }));
}

export function gluePartitionKeys(spec: DatasetSpec): GlueColumn[] {
  return spec.partitionKeys.map((k) => ({
    name: k.name,
    type: k.type === 'int32' ? 'int' : 'string',
    comment: comment(k.description),
  }));
}
