import { createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { archiveFile, type ArchiveFile } from '../../../lib/exchanges/binance/archive-layout';
import { baseQuote } from '../../../lib/exchanges/symbols';
import { type ArchiveFileTarget, importLocalArchiveFile } from '../../../lib/history/archive-file-import';
import { archiveRowMappers } from '../../../lib/history/archive-rows';
import { archiveFileOfName } from '../../../lib/history/import-archive-dataset';
import { runSilver } from '../../../lib/silver/silver-job';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import type { TaskFn } from '../../lib/types';
import { openDuckDb, silverDaySql } from '../silver/sql';

/**
 * Timed cases of the history section, each in its own child: `generate` writes a spot trades CSV of N rows and its 1m
 * klines (untimed), `ours` imports the trades into Bronze through importLocalArchiveFile (what `history` and `import`
 * run per file), `duckdb` does read_csv → COPY … TO parquet on one thread; then `importKlines` adds the klines
 * (untimed), and `silverOurs` (runSilver) and `silverDuckdb` (its SQL on one thread) build the day's Silver.
 */

export const SYMBOL = 'BTCUSDT';
export const DAY = '2025-03-01';
const MB = 1e6;
const DAY_US = 86_400_000_000;
const MINUTE_US = 60_000_000;

/** The archive's name for the day's file: the importer reads symbol and day from it. */
export const csvName = () => `${SYMBOL}-trades-${DAY}.csv`;
/** The day's 1m klines, named as the archive names them. */
export const klinesCsvName = () => `${SYMBOL}-1m-${DAY}.csv`;

/**
 * args: { file, rows } → bytes written. The spot layout `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match`
 * with µs times spread over the day, 8 decimals as the archive prints them. A deterministic walk, not the simulator:
 * the simulator's generator makes a day's realistic trade count, and the bench needs 10 M rows of one day in seconds.
 * The values look like a real BTCUSDT day's: prices on the 0.01 tick that repeat while a taker walks through one level
 * (about 60 % of trades print the previous price), quantities on the 0.00001 step with round lots common, and
 * quote_qty the rounded product, because compression speed depends on how repetitive the columns are.
 * With `klinesFile`, also the day's spot 1m klines CSV built from the same trades (its bytes: `klineBytes`).
 */
export const generate: TaskFn = async (args) => {
  const { file, rows, klinesFile } = args as { file: string; rows: number; klinesFile?: string };
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const start = Date.parse(`${DAY}T00:00:00Z`) * 1000;
  const klines = klinesFile ? new MinuteBars(start) : undefined;
  const klinesOut = klinesFile ? createWriteStream(klinesFile) : undefined;
  let klineBytes = 0;
  const writeKlines = async (last: boolean) => {
    if (!klines || !klinesOut) return;
    const text = klines.take(last);
    klineBytes += text.length;
    if (text && !klinesOut.write(text)) await once(klinesOut, 'drain');
  };
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
    klines?.add(start + i * step, ticks, lots, maker);
    if (batch.length === 10_000) {
      const text = `${batch.join('\n')}\n`;
      bytes += text.length;
      batch.length = 0;
      if (!out.write(text)) await once(out, 'drain');
      await writeKlines(false);
    }
  }
  if (batch.length) {
    const text = `${batch.join('\n')}\n`;
    bytes += text.length;
    out.write(text);
  }
  out.end();
  await once(out, 'finish');
  if (klinesOut) {
    await writeKlines(true);
    klinesOut.end();
    await once(klinesOut, 'finish');
  }
  return { bytes, klineBytes };
};

/**
 * The spot 1m klines of the generated trades, as the archive writes them from 2025 (µs times, no header): OHLC from
 * the trades' ticks, volume and taker-buy volume from their lots (integers, so the sums are exact), the trade count:
 * what the trade-bar parity of Silver's quality report rebuilds from the trades.
 */
class MinuteBars {
  private readonly lines: string[] = [];
  private minute = -1;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private lots = 0;
  private quoteUnits = 0;
  private takerLots = 0;
  private takerQuoteUnits = 0;
  private count = 0;

  constructor(private readonly startUs: number) {}

  /** One trade at `timeUs`: price in 0.01 ticks, quantity in 0.00001 lots; the taker bought unless `maker`. */
  add(timeUs: number, ticks: number, lots: number, maker: boolean): void {
    const minute = Math.floor((timeUs - this.startUs) / MINUTE_US);
    if (minute !== this.minute) {
      this.closeMinute();
      this.minute = minute;
      this.open = this.high = this.low = ticks;
      this.lots = this.quoteUnits = this.takerLots = this.takerQuoteUnits = this.count = 0;
    }
    this.high = Math.max(this.high, ticks);
    this.low = Math.min(this.low, ticks);
    this.close = ticks;
    this.lots += lots;
    this.quoteUnits += ticks * lots;
    if (!maker) {
      this.takerLots += lots;
      this.takerQuoteUnits += ticks * lots;
    }
    this.count++;
  }

  /** The CSV lines of the minutes closed so far (all of them once `last`), cleared. */
  take(last = false): string {
    if (last) this.closeMinute();
    const text = this.lines.length ? `${this.lines.join('\n')}\n` : '';
    this.lines.length = 0;
    return text;
  }

  private closeMinute(): void {
    if (this.count === 0) return;
    const openUs = this.startUs + this.minute * MINUTE_US;
    const px = (t: number) => (t / 100).toFixed(8);
    const qty = (l: number) => (l / 100_000).toFixed(8);
    const quote = (u: number) => (u / 10_000_000).toFixed(8);
    this.lines.push(
      `${openUs},${px(this.open)},${px(this.high)},${px(this.low)},${px(this.close)},${qty(this.lots)},` +
        `${openUs + MINUTE_US - 1},${quote(this.quoteUnits)},${this.count},${qty(this.takerLots)},${quote(this.takerQuoteUnits)},0`,
    );
    this.count = 0;
  }
}

/** MB of the Parquet files under root/under (default: the lake's Bronze). */
function dirMB(root: string, under = 'bronze'): number {
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.parquet')) bytes += statSync(full).size;
    }
  };
  walk(path.join(root, under));
  return bytes / MB;
}

function archiveTarget(root: string, file: ArchiveFile): ArchiveFileTarget {
  return {
    store: new LocalObjectStore(root),
    exchange: 'binance',
    file,
    mappers: archiveRowMappers('spot', file.dataset),
    now: Date.now,
  };
}

/** args: { file, root } → rows, rejected, Bronze objects and MB. The file's sha256 is not computed (see the notes). */
export const ours: TaskFn = async (args, probe) => {
  const { file, root } = args as { file: string; root: string };
  const target = archiveTarget(root, archiveFileOfName(path.basename(file), 'trades', 'spot'));
  probe.ready();
  const outcome = await probe.time(() => importLocalArchiveFile(target, file, '0'.repeat(64)));
  if (outcome.status !== 'imported') throw new Error(`import ${outcome.status}: ${outcome.reason}`);
  return { rows: outcome.rows, rejected: outcome.rejected, bronzeFiles: outcome.bronzeFiles, bronzeMB: dirMB(root) };
};

/** args: { file, root } → rows: the day's 1m klines CSV into the same lake (untimed setup of the Silver cases). */
export const importKlines: TaskFn = async (args) => {
  const { file, root } = args as { file: string; root: string };
  const archive = archiveFile({ market: 'spot', dataset: 'klines', interval: '1m', symbol: SYMBOL, period: 'daily', date: DAY });
  const outcome = await importLocalArchiveFile(archiveTarget(root, archive), file, '0'.repeat(64));
  if (outcome.status !== 'imported' || outcome.rejected > 0) {
    throw new Error(`klines import ${outcome.status}, ${outcome.rejected} rejected: ${outcome.reason}`);
  }
  return { rows: outcome.rows };
};

/**
 * args: { root } → Silver rows per dataset and the verdict: runSilver on the imported day (klines 1m + derived
 * timeframes, trades, bars_1s from trades alone, the quality report with the trade-bar parity).
 */
export const silverOurs: TaskFn = async (args, probe) => {
  const { root } = args as { root: string };
  const store = new LocalObjectStore(root);
  probe.ready();
  const results = await probe.time(() => runSilver({ store, dt: DAY, exchange: 'binance', symbol: SYMBOL }));
  if (results.length !== 1) throw new Error(`runSilver built ${results.length} partitions, expected 1`);
  const { report } = results[0];
  const rowsOut = (name: string) => (report.datasets?.[name]?.rowsOut as number | undefined) ?? null;
  return {
    rows: { trades: rowsOut('trades'), bars_1s: rowsOut('bars_1s'), klines_1m: report.klines_1m.kept },
    verdict: report.verdict,
    reasons: report.reasons,
    parity: report.tradeParity ? { compared: report.tradeParity.compared, disagreeing: report.tradeParity.disagreeing } : null,
    silverMB: dirMB(root, 'silver'),
  };
};

/**
 * args: { root, out, codec } → rows and MB written: the same day's Silver in SQL on one thread (silverDaySql without
 * book: klines 1m last update per minute + derived timeframes, first copy per trade_id sorted, bars_1s from trades).
 */
export const silverDuckdb: TaskFn = async (args, probe) => {
  const { root, out, codec } = args as { root: string; out: string; codec: 'snappy' | 'gzip' };
  mkdirSync(out, { recursive: true });
  const { instance, db } = await openDuckDb(1);
  const { base, quote } = baseQuote(SYMBOL);
  const steps = silverDaySql({
    root,
    out,
    exchange: 'binance',
    symbol: SYMBOL,
    dt: DAY,
    base,
    quote,
    source: 'archive',
    codec,
    book: false,
  });
  probe.ready();
  await probe.time(async () => {
    for (const [, sql] of steps) await db.run(sql);
  });
  const count = async (name: string) =>
    Number((await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}/${name}.parquet')`)).getRows()[0][0]);
  const rows = { trades: await count('trades'), bars_1s: await count('bars_1s'), klines_1m: await count('klines_1m') };
  db.closeSync();
  instance.closeSync();
  return { rows, outMB: dirMB(out, '.') };
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
