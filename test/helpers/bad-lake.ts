import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey, dayStart, partitionFileKey } from '../../lib/storage/lake-paths';
import type { ObjectStore } from '../../lib/storage/object-store';
import { Table } from '../../lib/table/table';
import { bronzeDay } from './klines';
import { sampleRows } from './sample-rows';

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

const KLINES = dataset('bronze', 'klines');
const TRADES = dataset('bronze', 'trades');

/** Bronze key of `market`'s 1m klines for hour `hour` of `dt`. */
export function bronzeKlinesKey(m: Market, dt: string, hour: number): string {
  return bronzeFileKey(KLINES, { timeframe: '1m', ...m, dt, hour }, dayStart(dt) + hour * 3_600_000, `h${String(hour).padStart(2, '0')}`);
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
    const rows = sampleRows(TRADES, 100, start).map((r, i) => ({ ...r, trade_id: h * 100 + i + 1, event_time: start + i * 1000 }));
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
