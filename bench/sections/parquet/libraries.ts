import path from 'node:path';
import type { Library } from './startup';

/**
 * The contenders. `module` holds the case's `write` and `read` tasks; `runs` is the full-run count (parquetjs-lite
 * gets one: its book write alone takes minutes, and its figures are an order of magnitude apart anyway).
 */

export interface Contender {
  id: string;
  label: string;
  module: string;
  runs: number;
  /** Extra Node flags for this case's children. */
  nodeFlags?: string[];
  /** Skipped by --quick: a memory check that means nothing on small inputs. */
  fullOnly?: boolean;
}

const cases = (f: string) => path.join(__dirname, 'cases', f);

export const CONTENDERS: readonly Contender[] = [
  {
    id: 'ours',
    label: 'ours: lib/parquet (hyparquet-writer, explicit schema, GZIP level 1) + readParquet',
    module: cases('ours.ts'),
    runs: 3,
  },
  // The same code under a capped V8 heap: does it fit, or does it only use what it is given? 512 MB is V8's own
  // choice in a 2 GB Lambda or Fargate task (a quarter of the memory it sees). The Table's Float64Arrays live
  // outside this limit; what it bounds is garbage, boxed values and the library's working set.
  capped(256),
  capped(512),
  {
    id: 'hyparquet-raw',
    label: 'hyparquet-writer auto types (snappy) + hyparquet, no lib/parquet',
    module: cases('hyparquet-raw.ts'),
    runs: 3,
  },
  { id: 'parquetjs-lite', label: 'parquetjs-lite (snappy), write + its reader', module: cases('parquetjs-lite.ts'), runs: 1 },
  {
    id: 'duckdb',
    label: 'DuckDB @duckdb/node-api (appender + COPY, zstd), read into a Table',
    module: cases('duckdb.ts'),
    runs: 3,
  },
];

function capped(mb: number): Contender {
  return {
    id: `ours-${mb}`,
    label: `ours, V8 heap capped at ${mb} MB (--max-old-space-size=${mb})`,
    module: cases('ours.ts'),
    runs: 1,
    nodeFlags: [`--max-old-space-size=${mb}`],
    fullOnly: true,
  };
}

const roundTripMain = (body: string) =>
  `async function main() {\n${body}\n}\nmain().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });\n`;

/** Libraries for the cold-start and bundle checks; each bundle entry writes and reads back a few values. */
export const LIBRARIES: readonly Library[] = [
  {
    id: 'hyparquet',
    label: 'hyparquet + hyparquet-writer (what lib/parquet loads)',
    importCode: `await import('hyparquet'); await import('hyparquet-writer')`,
    bundleEntry: `import { parquetWriteBuffer } from 'hyparquet-writer';\nimport { parquetReadObjects } from 'hyparquet';\n${roundTripMain(
      `  const file = parquetWriteBuffer({ columnData: [{ name: 't', data: [new Date(0), new Date(1)] }, { name: 'x', data: ` +
        `new Float64Array([1, 2]) }] });
  const rows = await parquetReadObjects({ file });
  if (rows.length !== 2 || rows[1].x !== 2) throw new Error('round trip failed');`,
    )}`,
  },
  {
    id: 'hyparquet-read',
    label: 'hyparquet alone (a read-only Lambda)',
    importCode: `await import('hyparquet')`,
  },
  {
    id: 'parquetjs-lite',
    label: 'parquetjs-lite',
    importCode: `await import('parquetjs-lite')`,
    // Writes into its own directory (the bundle's, inside the section's scratch dir, deleted afterwards).
    bundleEntry: `import parquet from 'parquetjs-lite';\nimport path from 'node:path';\n${roundTripMain(
      `  const file = path.join(__dirname, 'round-trip.parquet');
  const w = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema({ x: { type: 'DOUBLE', compression: 'SNAPPY' } }), file);
  await w.appendRow({ x: 1 }); await w.appendRow({ x: 2 }); await w.close();
  const r = await parquet.ParquetReader.openFile(file); const c = r.getCursor(); let n = 0; while (await c.next()) n++; await r.close();
  if (n !== 2) throw new Error('round trip failed');`,
    )}`,
  },
  {
    id: 'duckdb',
    label: '@duckdb/node-api',
    importCode: `await import('@duckdb/node-api')`,
    bundleEntry: `import { DuckDBInstance } from '@duckdb/node-api';\n${roundTripMain(
      `  const db = await DuckDBInstance.create(':memory:'); const con = await db.connect();
  const r = await con.runAndReadAll('SELECT 42 AS x'); if (Number(r.getRows()[0][0]) !== 42) throw new Error('query failed');`,
    )}`,
    nativePackages: ['@duckdb/node-bindings-*'],
  },
  {
    id: 'duckdb-open',
    label: '@duckdb/node-api + open an in-memory database',
    importCode:
      `const { DuckDBInstance } = await import('@duckdb/node-api'); const db = await ` +
      `DuckDBInstance.create(':memory:'); await db.connect()`,
  },
];
