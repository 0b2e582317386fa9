import { promises as fs } from 'node:fs';
import { runRange } from '../../lib/app/run-range';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey, dayStart, partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import type { ObjectStore } from '../../lib/storage/object-store';
import { Table } from '../../lib/table/table';
import { bronzeDay } from './klines';
import { sampleRows, tmpDir } from './sample-rows';

/**
 * Lakes with bad files in them (docs/bad-files.md): a day of Bronze written as the collector would (one file per
 * hour), and the three kinds of damage an outside probe found — a truncated file, a zero-byte file, a text file
 * under a .parquet name — plus folders that are not partitions.
 */

export type Damage = 'truncated' | 'empty' | 'text';
export const DAMAGES: readonly Damage[] = ['truncated', 'empty', 'text'];

export interface Market {
  exchange: string;
  symbol: string;
}

/** The markets and days of the lake `cleanLake` builds. */
export const BTC: Market = { exchange: 'binance', symbol: 'BTCUSDT' };
export const ETH: Market = { exchange: 'binance', symbol: 'ETHUSDT' };
export const D1 = '2024-05-01';
export const D2 = '2024-05-02';

/** Why a truncated file or a text file under a .parquet name is unreadable. */
export const FOOTER = 'no Parquet footer (PAR1) at the end: truncated, or not a Parquet file';
/** Why a copy under `symbol=X=Y` is not a partition. */
export const X_Y = "'symbol=X=Y' is not a partition folder (a symbol cannot hold '=')";

const KLINES = dataset('bronze', 'klines');
const TRADES = dataset('bronze', 'trades');

/** Bronze key of `market`'s 1m klines for hour `hour` of `dt`. */
export function bronzeKlinesKey(m: Market, dt: string, hour: number): string {
  return bronzeFileKey(
    KLINES,
    { timeframe: '1m', ...m, dt, hour },
    dayStart(dt) + hour * 3_600_000,
    `h${String(hour).padStart(2, '0')}`,
  );
}

export function bronzeTradesKey(m: Market, dt: string, hour: number): string {
  return bronzeFileKey(TRADES, { ...m, dt, hour }, dayStart(dt) + hour * 3_600_000, `t${String(hour).padStart(2, '0')}`);
}

/** A full day of 1m klines as 24 hourly files, and 100 trades in each of the first two hours. */
export async function writeBronzeDay(store: ObjectStore, m: Market, dt: string): Promise<void> {
  const day = bronzeDay(dt);
  const open = day.num('open_time');
  for (let h = 0; h < 24; h++) {
    const idx = Array.from(open.keys()).filter((i) => Math.floor((open[i] - dayStart(dt)) / 3_600_000) === h);
    await putTable(store, bronzeKlinesKey(m, dt, h), day.take(idx));
  }
  for (let h = 0; h < 2; h++) {
    const start = dayStart(dt) + h * 3_600_000;
    const rows = sampleRows(TRADES, 100, start).map((r, i) => ({
      ...r,
      trade_id: h * 100 + i + 1,
      event_time: start + i * 1000,
    }));
    await putTable(store, bronzeTradesKey(m, dt, h), Table.fromRows(TRADES, rows));
  }
}

/** Replaces a stored file with a damaged copy of itself. */
export async function damage(store: ObjectStore, key: string, how: Damage): Promise<void> {
  const good = await store.get(key);
  const text = Buffer.from('exchange,symbol,price\nbinance,BTCUSDT,1\n');
  const bytes = how === 'truncated' ? good.subarray(0, Math.floor(good.length / 2)) : how === 'empty' ? new Uint8Array() : text;
  await store.put(key, bytes);
}

/** Copies a good file to `folder` (a prefix ending in '/'), which is meant not to be a partition. */
export async function copyInto(store: ObjectStore, key: string, folder: string): Promise<string> {
  const to = `${folder}${key.split('/').pop()}`;
  await store.put(to, await store.get(key));
  return to;
}

export const silverKlinesKey = (m: Market, dt: string, timeframe = '1m') =>
  partitionFileKey(dataset('silver', 'klines'), { timeframe, ...m, dt });
export const goldFeaturesKey = (m: Market, dt: string) => partitionFileKey(dataset('gold', 'features_1m'), { ...m, dt });

export interface CleanLake {
  /** Bronze, Silver and Gold for BTC and ETH on D1 and D2; built in `beforeAll`, never damaged. */
  clean: LocalObjectStore;
  /** A copy of `clean` in a folder of its own, for one test to damage. */
  fresh: () => Promise<LocalObjectStore>;
}

/** Registers a `beforeAll` that builds the clean lake in a temporary folder named after `name`. */
export function cleanLake(name: string): CleanLake {
  const clean = new LocalObjectStore(tmpDir(`${name}-clean`));
  beforeAll(async () => {
    for (const market of [BTC, ETH]) for (const dt of [D1, D2]) await writeBronzeDay(clean, market, dt);
    await runRange({ store: clean, from: D1, to: D2, onSkip: () => undefined });
  }, 120_000);
  return {
    clean,
    async fresh() {
      const store = new LocalObjectStore(tmpDir(name));
      await fs.cp(clean.localRoot, store.localRoot, { recursive: true });
      return store;
    },
  };
}
