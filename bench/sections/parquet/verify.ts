import { DuckDBInstance } from '@duckdb/node-api';
import type { Json, TaskFn } from '../../lib/types';

/**
 * What a SQL engine sees in a written file, checked with DuckDB in its own child (never timed): the type DESCRIBE
 * gives each timestamp column (TIMESTAMP, not BIGINT), the Parquet annotation behind it (logical TIMESTAMP type,
 * which Athena's current engine maps to timestamp, or only the legacy converted type), the codecs and the row
 * count. DuckDB is the only Parquet reader here independent of the writers under test.
 */

export type Verification = {
  rows: number;
  /** DESCRIBE type of each timestamp column, e.g. { event_time: 'TIMESTAMP' }. */
  describe: Record<string, string>;
  /** Annotation of the timestamp columns, summarised (identical for all of them in practice). */
  annotation: string;
  codecs: string[];
  rowGroups: number;
};

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

function annotationOf(converted: string | null, logical: string | null): string {
  const unit = logical?.match(/(MILLIS|MICROS|NANOS)=(?!<null>)/)?.[1];
  if (logical?.startsWith('TimestampType')) {
    const utc = /isAdjustedToUTC=(1|true)/i.test(logical) ? ', UTC' : '';
    return `logical TIMESTAMP(${unit ?? '?'}${utc})${converted ? ` + ${converted}` : ''}`;
  }
  if (converted) return `legacy ${converted} only`;
  return 'none (plain INT64)';
}

export const verify: TaskFn = async (a) => {
  const { file, timestampColumns } = a as { file: string; timestampColumns: string[] };
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const f = sqlString(file);
  const rows = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, Json>[];
  /** A cell as text: strings as they are, anything else (numbers, null) as JSON. */
  const str = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
  const described = await rows(`DESCRIBE SELECT * FROM read_parquet(${f})`);
  const describe = Object.fromEntries(
    described.filter((r) => timestampColumns.includes(str(r.column_name))).map((r) => [str(r.column_name), str(r.column_type)]),
  );
  const schema = await rows(`SELECT name, converted_type, logical_type FROM parquet_schema(${f})`);
  const annotations = new Set(
    schema
      .filter((r) => timestampColumns.includes(str(r.name)))
      .map((r) => annotationOf(r.converted_type as string | null, r.logical_type as string | null)),
  );
  const count = Number((await rows(`SELECT count(*) AS n FROM read_parquet(${f})`))[0].n);
  const meta = await rows(`SELECT DISTINCT compression, row_group_id FROM parquet_metadata(${f})`);
  const result: Verification = {
    rows: count,
    describe,
    annotation: [...annotations].join('; '),
    codecs: [...new Set(meta.map((r) => str(r.compression)))].sort(),
    rowGroups: new Set(meta.map((r) => str(r.row_group_id))).size,
  };
  con.closeSync();
  instance.closeSync();
  return result;
};
