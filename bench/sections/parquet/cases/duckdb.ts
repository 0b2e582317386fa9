import { statSync } from 'node:fs';
import {
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import type { ColumnSpec } from '../../../../lib/schema/types';
import { Table, type ColumnData } from '../../../../lib/table/table';
import type { TaskFn } from '../../../lib/types';
import { tableChecksum } from '../checksum';
import { caseArgs, makeInput, specOf } from '../inputs';

/**
 * (d) DuckDB via @duckdb/node-api: the table is appended into an in-memory DuckDB table in 2,048-row data chunks,
 * then `COPY ... TO (FORMAT parquet, COMPRESSION zstd)`. Numbers are staged as DOUBLE straight from the
 * Float64Arrays (no per-value BigInt or timestamp objects, the fastest load path found) and cast to BIGINT /
 * TIMESTAMP_MS in the COPY's SELECT, so the file has the same logical types as ours. Everything from opening
 * the database to the closed file is timed. Reading casts back to DOUBLE in SQL and fills a Table.
 */

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

function stagingType(c: ColumnSpec): DuckDBType {
  if (c.type === 'string') return VARCHAR;
  if (c.type === 'boolean') return BOOLEAN;
  return DOUBLE;
}

function finalExpr(c: ColumnSpec): string {
  const col = quote(c.name);
  switch (c.type) {
    case 'timestamp':
      return `epoch_ms(${col}::BIGINT)::TIMESTAMP_MS AS ${col}`;
    case 'int64':
      return `${col}::BIGINT AS ${col}`;
    case 'int32':
      return `${col}::INTEGER AS ${col}`;
    default:
      return col;
  }
}

async function load(con: DuckDBConnection, table: Table): Promise<void> {
  const cols = table.spec.columns;
  await con.run(`CREATE TABLE stage (${cols.map((c) => `${quote(c.name)} ${stagingType(c).toString()}`).join(', ')})`);
  const appender = await con.createAppender('stage');
  const types = cols.map(stagingType);
  const data = cols.map((c) => table.columns[c.name]);
  const CHUNK = 2048; // DuckDB's vector size: the most rows one data chunk holds
  for (let start = 0; start < table.length; start += CHUNK) {
    const n = Math.min(CHUNK, table.length - start);
    const chunk = DuckDBDataChunk.create(types, n);
    for (let j = 0; j < cols.length; j++) {
      const vector = chunk.getColumnVector(j);
      const src: ColumnData = data[j];
      if (src instanceof Float64Array) {
        for (let i = 0; i < n; i++) {
          const v = src[start + i];
          vector.setItem(i, Number.isNaN(v) ? null : v);
        }
      } else {
        for (let i = 0; i < n; i++) vector.setItem(i, src[start + i] ?? null);
      }
      vector.flush();
    }
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}

export const write: TaskFn = async (a, probe) => {
  const { dataset, rows, file } = caseArgs(a);
  const table = makeInput(dataset, rows);
  probe.ready();
  await probe.time(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await load(con, table);
    await con.run(
      `COPY (SELECT ${table.spec.columns.map(finalExpr).join(', ')} FROM stage) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    con.closeSync();
    instance.closeSync();
  });
  return { bytes: statSync(file).size, checksum: tableChecksum(dataset, table) };
};

function readExpr(c: ColumnSpec): string {
  const col = quote(c.name);
  if (c.type === 'timestamp') return `epoch_ms(${col})::DOUBLE AS ${col}`;
  if (c.type === 'int64' || c.type === 'int32') return `${col}::DOUBLE AS ${col}`;
  return col;
}

export const read: TaskFn = async (a, probe) => {
  const { dataset, file } = caseArgs(a);
  const spec = specOf(dataset);
  probe.ready();
  const table = await probe.time(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const from = `read_parquet(${sqlString(file)})`;
    const count = Number((await con.runAndReadAll(`SELECT count(*) FROM ${from}`)).getRows()[0][0]);
    const out: ColumnData[] = spec.columns.map((c) =>
      c.type === 'string' || c.type === 'boolean' ? new Array(count).fill(null) : new Float64Array(count),
    );
    const result = await con.stream(`SELECT ${spec.columns.map(readExpr).join(', ')} FROM ${from}`);
    let offset = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const n = chunk.rowCount;
      for (let j = 0; j < out.length; j++) {
        const vector = chunk.getColumnVector(j);
        const dst = out[j];
        if (dst instanceof Float64Array) {
          for (let i = 0; i < n; i++) {
            const v = vector.getItem(i);
            dst[offset + i] = v === null ? NaN : (v as number);
          }
        } else {
          for (let i = 0; i < n; i++) (dst as unknown[])[offset + i] = vector.getItem(i);
        }
      }
      offset += n;
    }
    con.closeSync();
    instance.closeSync();
    return new Table(spec, offset, Object.fromEntries(spec.columns.map((c, j) => [c.name, out[j]])));
  });
  return { rows: table.length, checksum: tableChecksum(dataset, table) };
};
