/**
 * Types of the schema registry. Every dataset of every layer is described once with these; the Parquet schema,
 * Glue columns, DuckDB views, validators and docs are derived from the description.
 */

/** The three lake layers, plus quarantine: the rows Silver rejected, with their reason. */
export type Layer = 'bronze' | 'silver' | 'gold' | 'quarantine';
export const LAYERS: readonly Layer[] = ['bronze', 'silver', 'gold', 'quarantine'];

/** Logical column types. Timestamps are UTC instants at millisecond precision, held as epoch-ms numbers. */
export type ColumnType = 'timestamp' | 'double' | 'int64' | 'int32' | 'boolean' | 'string';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string;
  /** Inclusive lower bound for numeric columns. */
  readonly min?: number;
  /** Exclusive lower bound (e.g. prices must be > 0). */
  readonly gt?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Allowed values for string columns. */
  readonly enum?: readonly string[];
}

/** Partition keys, in path order. `dt` is YYYY-MM-DD (UTC), `hour` 0..23. */
export type PartitionKeyName = 'timeframe' | 'exchange' | 'symbol' | 'dt' | 'hour';

export interface PartitionKeySpec {
  readonly name: PartitionKeyName;
  /** Type as seen by SQL engines (Glue, DuckDB views). */
  readonly type: 'string' | 'int32';
  readonly description: string;
}

export interface DatasetSpec {
  readonly layer: Layer;
  /** Dataset name as it appears in the path (`bronze/{name}/...`) and table name (`{layer}_{name}`). */
  readonly name: string;
  readonly description: string;
  readonly partitionKeys: readonly PartitionKeySpec[];
  readonly columns: readonly ColumnSpec[];
  /** Column whose value chooses the dt/hour partition of a row (the exchange's event time, never wall clock). */
  readonly timeColumn: string;
  /** Columns that identify a record for de-duplication (Silver/Gold keep one row per key). */
  readonly key: readonly string[];
  /** Allowed values of the `timeframe` partition key, where the dataset has one. */
  readonly timeframes?: readonly string[];
}

/** A value of one row as the engine holds it: numbers (timestamps as epoch ms), strings, booleans or null. */
export type CellValue = number | string | boolean | null;
export type Row = Record<string, CellValue>;

/** Values of a partition: what the path holds rather than the file. */
export interface PartitionValues {
  timeframe?: string;
  exchange: string;
  symbol: string;
  dt: string;
  hour?: number;
}
