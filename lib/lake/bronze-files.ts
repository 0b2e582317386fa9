import type { DatasetSpec, PartitionValues } from '../schema/types';
import { addDays, dateOf, hourOf, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { HOUR_MS } from '../util/time';

/**
 * Bronze files a Silver run reads for one day: the day's hours plus a margin of neighbouring hours, because a
 * row's event time can fall just across midnight from where a late or early flush put it.
 */
export async function bronzeFilesForDay(
  store: ObjectStore,
  spec: DatasetSpec,
  values: Omit<PartitionValues, 'hour'>,
  marginHours = 1,
): Promise<string[]> {
  const keys: string[] = [];
  const prev = addDays(values.dt, -1);
  const next = addDays(values.dt, 1);
  for (let h = 24 - marginHours; h < 24; h++)
    keys.push(...(await parquetKeys(store, partitionPrefix(spec, { ...values, dt: prev, hour: h }))));
  keys.push(...(await parquetKeys(store, partitionPrefix(spec, values))));
  for (let h = 0; h < marginHours; h++)
    keys.push(...(await parquetKeys(store, partitionPrefix(spec, { ...values, dt: next, hour: h }))));
  return keys;
}

async function parquetKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await listAll(store, prefix)).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
}

/**
 * Bronze files of the hour folders that cover [from, to) (epoch ms): what a look at recent Bronze reads, e.g.
 * the self-heal's window of klines, gap-ledger rows and trades around a gap.
 */
export async function bronzeFilesForHours(
  store: ObjectStore,
  spec: DatasetSpec,
  values: Omit<PartitionValues, 'hour' | 'dt'>,
  from: number,
  to: number,
): Promise<string[]> {
  const keys: string[] = [];
  for (let h = from - (from % HOUR_MS); h < to; h += HOUR_MS)
    keys.push(...(await parquetKeys(store, partitionPrefix(spec, { ...values, dt: dateOf(h), hour: hourOf(h) }))));
  return keys;
}
