import type { DatasetSpec, PartitionKeyName, PartitionValues } from '../schema/types';
import { partitionPrefix } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';

/**
 * Which partitions exist: walks the Hive-style prefixes level by level (listing only where a value is not
 * fixed), down to `dt`. Hour folders are not enumerated.
 */
export async function discoverPartitions(store: ObjectStore, d: DatasetSpec, fixed: Partial<PartitionValues>): Promise<PartitionValues[]> {
  const keys = d.partitionKeys.filter((k) => k.name !== 'hour');
  let frontier: Partial<PartitionValues>[] = [{}];
  for (const k of keys) {
    const next: Partial<PartitionValues>[] = [];
    for (const values of frontier) {
      const fixedValue = fixed[k.name];
      if (fixedValue !== undefined) {
        const candidate = { ...values, [k.name]: fixedValue };
        // Only keep a fixed value if that folder exists (checked at the last level by listing its parent).
        next.push(candidate);
        continue;
      }
      for (const p of await store.listPrefixes(partitionPrefix(d, values))) {
        const seg = p.slice(0, -1).split('/').pop() ?? '';
        const eq = seg.indexOf('=');
        if (eq < 0 || seg.slice(0, eq) !== k.name) continue;
        next.push({ ...values, [k.name as PartitionKeyName]: seg.slice(eq + 1) });
      }
    }
    frontier = next;
  }
  // Drop fixed-value candidates whose folder does not exist.
  const out: PartitionValues[] = [];
  for (const v of frontier) {
    const prefix = partitionPrefix(d, v);
    const parent = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
    if ((await store.listPrefixes(parent)).includes(prefix)) out.push(v as PartitionValues);
  }
  return out;
}

/**
 * The values of the dataset's leading partition keys (`keys`, in path order from the first) found in the
 * lake: one listing per folder of the level above, so the cost grows with the number of values, not of files.
 * Folders not named `key=value` for the key of their level are ignored.
 */
export async function discoverKeyValues<K extends PartitionKeyName>(store: ObjectStore, d: DatasetSpec, keys: readonly K[]):
  Promise<{ values: Map<K, Set<string>>; listings: number }> {
  const order = d.partitionKeys.slice(0, keys.length).map((k) => k.name);
  if (order.join('/') !== keys.join('/')) throw new Error(`${d.layer}/${d.name}: ${keys.join(', ')} are not its leading partition keys`);
  const values = new Map<K, Set<string>>(keys.map((k) => [k, new Set<string>()]));
  let frontier = [partitionPrefix(d, {})];
  let listings = 0;
  for (const k of keys) {
    const listed = await Promise.all(frontier.map((p) => store.listPrefixes(p)));
    listings += frontier.length;
    frontier = [];
    for (const p of listed.flat()) {
      const seg = p.slice(0, -1).split('/').pop() ?? '';
      const eq = seg.indexOf('=');
      if (eq < 0 || seg.slice(0, eq) !== k) continue;
      values.get(k)!.add(seg.slice(eq + 1));
      frontier.push(p);
    }
  }
  return { values, listings };
}
