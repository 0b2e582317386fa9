import type { DatasetSpec, PartitionKeyName, PartitionValues } from '../schema/types';
import { partitionPrefix } from '../storage/lake-paths';
import type { NameRange, ObjectStore } from '../storage/object-store';
import { partitionSegmentProblem } from './partition-folders';

/**
 * Which partitions exist: walks the Hive-style prefixes level by level down to `dt` (hour folders are not
 * enumerated), listing only where a value is not fixed. A fixed value costs no listing of its own: a deeper listing
 * under a missing folder comes back empty, and only a fixed last level is checked against its parent's listing.
 * `dtRange` keeps the dates from..to (both included), listed from `from` on rather than from the first date.
 * A folder named for its level's key whose value does not parse (`symbol=X=Y`) is no partition: it is passed to
 * `onBadFolder` and left out, rather than built into Silver and Gold under a nonsense value.
 */
export async function discoverPartitions(
  store: ObjectStore,
  spec: DatasetSpec,
  fixed: Partial<PartitionValues>,
  dtRange?: { from: string; to: string },
  onBadFolder?: (prefix: string, reason: string) => void,
): Promise<PartitionValues[]> {
  const keys = spec.partitionKeys.filter((k) => k.name !== 'hour');
  let frontier: { values: Partial<PartitionValues>; verified: boolean }[] = [{ values: {}, verified: true }];
  for (const k of keys) {
    const next: typeof frontier = [];
    for (const { values } of frontier) {
      const fixedValue = fixed[k.name];
      if (fixedValue !== undefined) {
        next.push({ values: { ...values, [k.name]: fixedValue }, verified: false });
        continue;
      }
      const range: NameRange | undefined =
        k.name === 'dt' && dtRange ? { from: `dt=${dtRange.from}`, to: `dt=${dtRange.to}` } : undefined;
      for (const p of await store.listPrefixes(partitionPrefix(spec, values), range)) {
        const seg = p.slice(0, -1).split('/').pop() ?? '';
        const eq = seg.indexOf('=');
        if (eq < 0 || seg.slice(0, eq) !== k.name) continue;
        const problem = partitionSegmentProblem(k, seg);
        if (problem) {
          onBadFolder?.(p, problem);
          continue;
        }
        next.push({ values: { ...values, [k.name]: seg.slice(eq + 1) }, verified: true });
      }
    }
    frontier = next;
  }
  const listings = new Map<string, Promise<string[]>>();
  const out: PartitionValues[] = [];
  for (const { values, verified } of frontier) {
    if (!verified) {
      const prefix = partitionPrefix(spec, values);
      const parent = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
      if (!listings.has(parent)) listings.set(parent, store.listPrefixes(parent));
      if (!(await listings.get(parent)!).includes(prefix)) continue;
      if (dtRange && values.dt !== undefined && (values.dt < dtRange.from || values.dt > dtRange.to)) continue;
    }
    out.push(values as PartitionValues);
  }
  return out;
}

/**
 * The values of the dataset's leading partition keys (`keys`, in path order from the first) found in the
 * lake: one listing per folder of the level above, so the cost grows with the number of values, not of files.
 * Folders not named `key=value` for the key of their level are ignored.
 */
export async function discoverKeyValues<K extends PartitionKeyName>(
  store: ObjectStore,
  spec: DatasetSpec,
  keys: readonly K[],
): Promise<{ values: Map<K, Set<string>>; listings: number }> {
  const order = spec.partitionKeys.slice(0, keys.length).map((k) => k.name);
  if (order.join('/') !== keys.join('/'))
    throw new Error(`${spec.layer}/${spec.name}: ${keys.join(', ')} are not its leading partition keys`);
  const values = new Map<K, Set<string>>(keys.map((k) => [k, new Set<string>()]));
  let frontier = [partitionPrefix(spec, {})];
  let listings = 0;
  for (const k of keys) {
    const listed = await Promise.all(frontier.map((p) => store.listPrefixes(p)));
    listings += frontier.length;
    frontier = [];
    for (const prefix of listed.flat()) {
      const seg = prefix.slice(0, -1).split('/').pop() ?? '';
      // A folder that is no partition of this key (`symbol=X=Y`) must not become a projected value either.
      if (partitionSegmentProblem({ name: k }, seg)) continue;
      values.get(k)!.add(seg.slice(seg.indexOf('=') + 1));
      frontier.push(prefix);
    }
  }
  return { values, listings };
}
