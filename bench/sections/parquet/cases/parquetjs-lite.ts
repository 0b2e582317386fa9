import { statSync } from 'node:fs';
import { ParquetReader, ParquetSchema, ParquetWriter, type FieldDefinition } from 'parquetjs-lite';
import { TableBuilder, type ColumnData } from '../../../../lib/table/table';
import type { CellValue, ColumnType, Row } from '../../../../lib/schema/types';
import type { TaskFn } from '../../../lib/types';
import { tableChecksum } from '../checksum';
import { caseArgs, makeInput, specOf } from '../inputs';

/**
 * (c) parquetjs-lite 0.8.7, snappy. Its API is row-at-a-time, so the write converts each row to an object as it
 * appends it (never the whole table at once) — that per-row work is the price of the library, so it is timed.
 */

/** lib/parquet's DEFAULT_ROW_GROUP (parquetjs-lite's own default is 4,096 rows); not imported, to keep
 * hyparquet-writer out of this child's memory. */
const ROW_GROUP = 100_000;

const TYPES: Record<ColumnType, string> = {
  timestamp: 'TIMESTAMP_MILLIS',
  int64: 'INT64',
  int32: 'INT32',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'UTF8',
};

export const write: TaskFn = async (a, probe) => {
  const { dataset, rows, file } = caseArgs(a);
  const table = makeInput(dataset, rows);
  probe.ready();
  await probe.time(async () => {
    const fields: Record<string, FieldDefinition> = {};
    for (const c of table.spec.columns) fields[c.name] = { type: TYPES[c.type], optional: c.nullable, compression: 'SNAPPY' };
    const writer = await ParquetWriter.openFile(new ParquetSchema(fields), file, { rowGroupSize: ROW_GROUP });
    const cols = table.spec.columns.map((c) => [c.name, table.columns[c.name]] as [string, ColumnData]);
    const tenth = Math.ceil(table.length / 10);
    for (let i = 0; i < table.length; i++) {
      // Minutes-long on the full book: show it is alive.
      if (i > 0 && i % tenth === 0)
        probe.log(`parquetjs-lite: ${Math.round((100 * i) / table.length)}% of ${table.length.toLocaleString('en-US')} rows`);
      const row: Record<string, unknown> = {};
      for (const [name, data] of cols) {
        const v = data[i];
        // Missing optional fields are left out; NaN is this project's numeric null.
        if (v !== null && !(typeof v === 'number' && Number.isNaN(v))) row[name] = v;
      }
      await writer.appendRow(row);
    }
    await writer.close();
  });
  return { bytes: statSync(file).size, checksum: tableChecksum(dataset, table) };
};

function cellOf(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return v as CellValue;
}

export const read: TaskFn = async (a, probe) => {
  const { dataset, file } = caseArgs(a);
  const spec = specOf(dataset);
  probe.ready();
  const table = await probe.time(async () => {
    const reader = await ParquetReader.openFile(file);
    const builder = new TableBuilder(spec, 1024);
    const cursor = reader.getCursor();
    for (let r = await cursor.next(); r; r = await cursor.next()) {
      const row: Row = {};
      for (const c of spec.columns) row[c.name] = cellOf(r[c.name]);
      builder.push(row);
    }
    await reader.close();
    return builder.build();
  });
  return { rows: table.length, checksum: tableChecksum(dataset, table) };
};
