import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { readParquet } from '../../lib/parquet/read';
import { encodeParquet } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import type { CellValue, ColumnSpec, ColumnType, DatasetSpec, Row } from '../../lib/schema/types';
import { Table } from '../../lib/table/table';

/**
 * Column chunks written straight from typed columns (lib/parquet/column-chunk.ts) read back as written, through
 * our reader (hyparquet) and through DuckDB, for every column type, required and optional, with and without nulls,
 * plain and dictionary-encoded, and keep the footer statistics readers prune with.
 */

const TYPES: ColumnType[] = ['timestamp', 'double', 'int64', 'int32', 'boolean', 'string'];
const columns: ColumnSpec[] = TYPES.flatMap((type) => [
  { name: `${type}_required`, type, nullable: false, description: '' },
  { name: `${type}_optional`, type, nullable: true, description: '' },
]);
const spec: DatasetSpec = { ...dataset('bronze', 'trades'), columns, timeColumn: 'timestamp_required' };

const value = (type: ColumnType, repeat: boolean): fc.Arbitrary<unknown> => {
  switch (type) {
    case 'timestamp':
      return repeat ? fc.constantFrom(0, 1_700_000_000_000) : fc.integer({ min: -1e12, max: 4e12 });
    case 'int64':
      return repeat ? fc.constantFrom(-1, 2 ** 40) : fc.maxSafeInteger();
    case 'int32':
      return repeat ? fc.constantFrom(0, 7) : fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'double':
      return repeat ? fc.constantFrom(0.1, -0, 85000.5) : fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return repeat ? fc.constantFrom('BTC', 'USDT', 'ü€') : fc.string({ unit: 'grapheme', maxLength: 12 });
  }
};

const rowsOf = (repeat: boolean) =>
  fc.array(
    fc.record(
      Object.fromEntries(
        columns.map((column) => [
          column.name,
          column.nullable ? fc.option(value(column.type, repeat), { nil: null }) : value(column.type, repeat),
        ]),
      ),
    ) as fc.Arbitrary<Row>,
    { minLength: 1, maxLength: 60 },
  );

describe('Parquet column chunks from typed columns', () => {
  it('read back as written, plain and dictionary-encoded (hyparquet)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean().chain(rowsOf), async (rows) => {
        const back = await readParquet(spec, await encodeParquet(Table.fromRows(spec, rows)));
        const want = rows.map((row) =>
          Object.fromEntries(columns.map((c) => [c.name, Object.is(row[c.name], -0) ? 0 : row[c.name]])),
        );
        const got = back
          .rows()
          .map((row) => Object.fromEntries(columns.map((c) => [c.name, Object.is(row[c.name], -0) ? 0 : row[c.name]])));
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('read by DuckDB with the statistics of each column', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'column-chunk-'));
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      // 3,000 rows: repetitive columns take the dictionary, the doubles stay plain, a third of optionals are null.
      const rows: Row[] = Array.from({ length: 3000 }, (_, index) => {
        const row: Row = {};
        for (const column of columns) {
          const v: Record<ColumnType, CellValue> = {
            timestamp: 1_700_000_000_000 + index,
            double: index / 7,
            int64: 2 ** 40 + (index % 5),
            int32: index % 3,
            boolean: index % 4 === 0,
            string: ['BTC', 'ETH', 'ü€'][index % 3],
          };
          row[column.name] = column.nullable && index % 3 === 1 ? null : v[column.type];
        }
        return row;
      });
      const file = path.join(dir, 'all-types.parquet');
      fs.writeFileSync(file, await encodeParquet(Table.fromRows(spec, rows)));
      const sums = await db.runAndReadAll(
        `SELECT count(*), count(double_optional), sum(double_required), sum(int64_optional), max(timestamp_required),
           sum(CASE WHEN boolean_optional THEN 1 ELSE 0 END), count(DISTINCT string_required), min(int32_optional)
         FROM read_parquet('${file}')`,
      );
      const want = [
        3000,
        2000,
        rows.reduce((sum, row) => sum + (row.double_required as number), 0),
        rows.reduce((sum, row) => sum + ((row.int64_optional as number | null) ?? 0), 0),
        '2023-11-14 22:13:22.999',
        rows.filter((row) => row.boolean_optional === true).length,
        3,
        0,
      ];
      const got = sums.getRows()[0].map((cell) => (typeof cell === 'bigint' ? Number(cell) : cell));
      expect(got[0]).toBe(want[0]);
      expect(got[1]).toBe(want[1]);
      expect(got[2] as number).toBeCloseTo(want[2] as number, 6);
      expect(got[3]).toBe(want[3]);
      expect(String(got[4])).toBe(want[4]);
      expect(got.slice(5)).toEqual(want.slice(5));
      const meta = await db.runAndReadAll(
        `SELECT path_in_schema, encodings, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('${file}')`,
      );
      const byColumn = new Map(meta.getRows().map((row) => [String(row[0]), row.slice(1).map(String)]));
      expect(byColumn.get('int32_required')).toEqual(['PLAIN, RLE_DICTIONARY', '0', '2', '0']);
      expect(byColumn.get('double_required')?.[0]).toBe('PLAIN');
      expect(byColumn.get('string_optional')).toEqual(['PLAIN, RLE_DICTIONARY', 'BTC', 'ü€', '1000']);
      expect(byColumn.get('timestamp_optional')?.[3]).toBe('1000');
    } finally {
      db.closeSync();
      instance.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
