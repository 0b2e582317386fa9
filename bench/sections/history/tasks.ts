import { createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { importLocalArchiveFile } from '../../../lib/history/archive-file-import';
import { archiveRowMappers } from '../../../lib/history/archive-rows';
import { archiveFileOfName } from '../../../lib/history/import-archive-dataset';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import type { TaskFn } from '../../lib/types';

/**
 * Timed cases of the history section, each in its own child: `generate` writes a spot trades CSV of N rows (untimed),
 * `ours` imports it into Bronze through importLocalArchiveFile (what `history` and `import` run per file), `duckdb`
 * does read_csv → COPY … TO parquet on one thread.
 */

export const SYMBOL = 'BTCUSDT';
export const DAY = '2025-03-01';
const MB = 1e6;
const DAY_US = 86_400_000_000;

/** The archive's name for the day's file: the importer reads symbol and day from it. */
export const csvName = () => `${SYMBOL}-trades-${DAY}.csv`;

/**
 * args: { file, rows } → bytes written. The spot layout `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match`
 * with µs times spread over the day, 8 decimals as the archive prints them. A deterministic walk, not the simulator:
 * the simulator's generator makes a day's realistic trade count, and the bench needs 10 M rows of one day in seconds.
 * The values look like a real BTCUSDT day's: prices on the 0.01 tick that repeat while a taker walks through one level
 * (about 60 % of trades print the previous price), quantities on the 0.00001 step with round lots common, and
 * quote_qty the rounded product, because compression speed depends on how repetitive the columns are.
 */
export const generate: TaskFn = async (args) => {
  const { file, rows } = args as { file: string; rows: number };
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const start = Date.parse(`${DAY}T00:00:00Z`) * 1000;
  const step = Math.floor(DAY_US / rows);
  let ticks = 8_500_000; // price in 0.01 ticks
  let seed = 12345;
  const random = () => {
    // xorshift32: cheap and deterministic, enough for a price walk.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const ROUND_LOTS = [100, 200, 500, 1000, 2000, 5000, 10_000]; // in 0.00001 steps: 0.001 … 0.1
  let maker = false;
  const batch: string[] = [];
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    if (random() >= 0.6) {
      const move = 1 + Math.floor(random() * 3);
      ticks = Math.max(100, ticks + (random() < 0.5 ? -move : move));
      maker = random() < 0.5;
    }
    const lots = random() < 0.3 ? ROUND_LOTS[Math.floor(random() * ROUND_LOTS.length)] : Math.ceil(Math.exp(random() * 11));
    const px = (ticks / 100).toFixed(8);
    const q = (lots / 100_000).toFixed(8);
    batch.push(
      `${4_000_000_000 + i},${px},${q},${((ticks * lots) / 10_000_000).toFixed(8)},` +
        `${start + i * step},${maker ? 'True' : 'False'},True`,
    );
    if (batch.length === 10_000) {
      const text = `${batch.join('\n')}\n`;
      bytes += text.length;
      batch.length = 0;
      if (!out.write(text)) await once(out, 'drain');
    }
  }
  if (batch.length) {
    const text = `${batch.join('\n')}\n`;
    bytes += text.length;
    out.write(text);
  }
  out.end();
  await once(out, 'finish');
  return { bytes };
};

function dirMB(root: string): number {
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.parquet') && full.includes(`${path.sep}bronze${path.sep}`)) bytes += statSync(full).size;
    }
  };
  walk(root);
  return bytes / MB;
}

/** args: { file, root } → rows, rejected, Bronze objects and MB. The file's sha256 is not computed (see the notes). */
export const ours: TaskFn = async (args, probe) => {
  const { file, root } = args as { file: string; root: string };
  const store = new LocalObjectStore(root);
  const archiveFile = archiveFileOfName(path.basename(file), 'trades', 'spot');
  const target = {
    store,
    exchange: 'binance' as const,
    file: archiveFile,
    mappers: archiveRowMappers('spot', 'trades'),
    now: Date.now,
  };
  probe.ready();
  const outcome = await probe.time(() => importLocalArchiveFile(target, file, '0'.repeat(64)));
  if (outcome.status !== 'imported') throw new Error(`import ${outcome.status}: ${outcome.reason}`);
  return { rows: outcome.rows, rejected: outcome.rejected, bronzeFiles: outcome.bronzeFiles, bronzeMB: dirMB(root) };
};

/**
 * args: { file, out, codec } → rows and MB written: DuckDB's CSV reader and Parquet writer, one thread, the same Bronze
 * columns; `codec` snappy (DuckDB's default) or gzip (ours).
 */
export const duckdb: TaskFn = async (args, probe) => {
  const { file, out, codec } = args as { file: string; out: string; codec: 'snappy' | 'gzip' };
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run('SET threads = 1');
  await db.run(`SET TimeZone = 'UTC'`);
  const columns = `{'id': 'BIGINT', 'price': 'DOUBLE', 'qty': 'DOUBLE', 'quote_qty': 'DOUBLE', 'time': 'BIGINT',
    'is_buyer_maker': 'BOOLEAN', 'is_best_match': 'BOOLEAN'}`;
  const ingest = Date.now();
  // The same columns as our Bronze trades: µs times to ms timestamps, the constant meta columns added.
  const sql = `COPY (SELECT id AS trade_id, make_timestamp((time // 1000) * 1000) AS event_time, price, qty, quote_qty, is_buyer_maker,
      'BTC' AS base, 'USDT' AS quote, make_timestamp(${ingest}::BIGINT * 1000) AS ingest_time, 'archive' AS source
    FROM read_csv('${file}', header = false, columns = ${columns})) TO '${out}' (FORMAT parquet, COMPRESSION ${codec})`;
  probe.ready();
  await probe.time(() => db.run(sql));
  const rows = Number((await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}')`)).getRows()[0][0]);
  db.closeSync();
  instance.closeSync();
  return { rows, outMB: statSync(out).size / MB };
};
