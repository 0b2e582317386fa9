import type { SchemaElement } from 'hyparquet';
import type { ColumnSpec, DatasetSpec } from '../types';

/**
 * Parquet schema of a dataset's files. Timestamps carry the logical TIMESTAMP(MILLIS) type so Athena and DuckDB
 * read them as timestamps, not integers; they are not marked UTC-adjusted so DuckDB shows them as plain UTC
 * TIMESTAMP (Athena's `timestamp` has no zone either).
 */
export function parquetSchema(spec: DatasetSpec): SchemaElement[] {
  return [{ name: 'root', num_children: spec.columns.length }, ...spec.columns.map(parquetElement)];
}

export function parquetElement(column: ColumnSpec): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (column.type) {
    case 'timestamp':
      return {
        name: column.name,
        type: 'INT64',
        repetition_type,
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MILLIS' },
      };
    case 'double':
      return { name: column.name, type: 'DOUBLE', repetition_type };
    case 'int64':
      return { name: column.name, type: 'INT64', repetition_type };
    case 'int32':
      return { name: column.name, type: 'INT32', repetition_type };
    case 'boolean':
      return { name: column.name, type: 'BOOLEAN', repetition_type };
    case 'string':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
  }
}
