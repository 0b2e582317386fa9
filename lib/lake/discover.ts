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

