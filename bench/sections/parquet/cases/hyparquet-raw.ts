import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parquetRead, type AsyncBuffer, type DecodedArray } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import type { ColumnSpec } from '../../../../lib/schema/types';
import type { ColumnData } from '../../../../lib/table/table';
import type { TaskFn } from '../../../lib/types';
import { CHECKSUM_COLUMNS, checksum, tableChecksum } from '../checksum';
import { caseArgs, makeInput } from '../inputs';

/**
 * (b) hyparquet-writer and hyparquet used the obvious way, without lib/parquet: natural JS values (Date for
 * timestamps, bigint for int64, null for missing), types auto-detected, defaults for everything, the whole table
 * converted before writing. Shows what the explicit schema and per-row-group conversion of lib/parquet buy.
 */

/** The value a JS programmer would hand the writer for each registry type. */
function natural(c: ColumnSpec, data: ColumnData): DecodedArray {
  if (!(data instanceof Float64Array)) return data;
  const hasNull = data.some(Number.isNaN);
  switch (c.type) {
    case 'timestamp':
      return Array.from(data, (v) => (Number.isNaN(v) ? null : new Date(v)));
    case 'int64':
      return hasNull ? Array.from(data, (v) => (Number.isNaN(v) ? null : BigInt(v))) : BigInt64Array.from(data, (v) => BigInt(v));
    case 'int32':
      return hasNull ? Array.from(data, (v) => (Number.isNaN(v) ? null : v)) : Int32Array.from(data);
    default:
      // A Float64Array would be written REQUIRED with NaN for missing values; nulls need a plain array.
      return hasNull ? Array.from(data, (v) => (Number.isNaN(v) ? null : v)) : data;
  }
}

/** hyparquet-writer infers each column's type and nullability from its first 1,000 values only. */
const SNIFFED = 1000;

/** Names the column whose first null comes after the sniffed values, the usual cause of a failed auto write. */
function explainLateNull(columns: { name: string; data: DecodedArray }[]): string {
  for (const { name, data } of columns) {
    if (!Array.isArray(data)) continue;
    const first = data.findIndex((v) => v === null || v === undefined);
    if (first >= SNIFFED) {
      return ` (types are auto-detected from the first ${SNIFFED} values; ${name}'s first null is row ${first.toLocaleString('en-US')})`;
    }
  }
  return '';
}

export const write: TaskFn = async (a, probe) => {
  const { dataset, rows, file } = caseArgs(a);
  const table = makeInput(dataset, rows);
  probe.ready();
  await probe.time(() => {
    const columnData = table.spec.columns.map((c) => ({ name: c.name, data: natural(c, table.columns[c.name]) }));
    try {
      parquetWriteFile({ filename: file, columnData });
    } catch (err) {
      throw new Error(`${(err as Error).message}${explainLateNull(columnData)}`);
    }
  });
  return { bytes: statSync(file).size, checksum: tableChecksum(dataset, table) };
};

export const read: TaskFn = async (a, probe) => {
  const { dataset, file } = caseArgs(a);
  probe.ready();
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  let rows = 0;
  await probe.time(async () => {
    const bytes = await readFile(file);
    const buffer: AsyncBuffer = {
      byteLength: bytes.byteLength,
      slice: (s, e) => bytes.buffer.slice(bytes.byteOffset + s, bytes.byteOffset + (e ?? bytes.byteLength)),
    };
    await parquetRead({
      file: buffer,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const list = chunks.get(columnName) ?? [];
        list.push({ start: rowStart, data: columnData });
        chunks.set(columnName, list);
      },
    });
    rows = Math.max(0, ...(chunks.get('event_time') ?? []).map((c) => c.start + c.data.length));
  });
  // Outside the timed block: flatten only the fingerprint's columns.
  const flat = new Map(
    CHECKSUM_COLUMNS(dataset).map((name) => {
      const out = new Array<unknown>(rows);
      for (const { start, data } of chunks.get(name) ?? []) for (let i = 0; i < data.length; i++) out[start + i] = data[i];
      return [name, out] as const;
    }),
  );
  return { rows, checksum: checksum(dataset, rows, (name) => flat.get(name) ?? []) };
};
