import type { DatasetSpec, PartitionKeySpec } from '../schema/types';
import { isDate } from '../storage/lake-paths';

/**
 * Whether folder names parse as the dataset's Hive partitions. A folder like `symbol=X=Y` or `dt=notadate` is
 * nobody's partition: DuckDB refuses a whole view over it and a build would carry the nonsense value into Silver
 * and Gold, so readers skip it and say so (docs/bad-files.md).
 */

/** Why `segment` is not a folder of partition key `k`, or undefined when it is. */
export function partitionSegmentProblem(k: Pick<PartitionKeySpec, 'name'>, segment: string): string | undefined {
  const eq = segment.indexOf('=');
  if (eq < 0 || segment.slice(0, eq) !== k.name) return `'${segment}' is not a ${k.name}=… partition folder`;
  const value = segment.slice(eq + 1);
  if (value === '') return `'${segment}' has an empty ${k.name}`;
  if (value.includes('=')) return `'${segment}' is not a partition folder (a ${k.name} cannot hold '=')`;
  if (k.name === 'dt' && !isDate(value)) return `'${segment}' is not a date partition (dt=YYYY-MM-DD)`;
  if (k.name === 'hour' && !(/^\d{2}$/.test(value) && Number(value) < 24))
    return `'${segment}' is not an hour partition (hour=00…23)`;
  return undefined;
}

/**
 * For a data file's key under `{layer}/{dataset}/`: undefined when the folders between are exactly the dataset's
 * partition keys with values that parse; else the folder to skip (the first wrong one, with '/') and why.
 */
export function partitionPathProblem(spec: DatasetSpec, key: string): { folder: string; reason: string } | undefined {
  const root = `${spec.layer}/${spec.name}/`;
  const folders = key.slice(root.length).split('/').slice(0, -1);
  let folder = root;
  for (const [i, k] of spec.partitionKeys.entries()) {
    if (i >= folders.length) return { folder, reason: `a file above the partition folders (expected ${k.name}=… here)` };
    folder += `${folders[i]}/`;
    const problem = partitionSegmentProblem(k, folders[i]);
    if (problem) return { folder, reason: problem };
  }
  if (folders.length > spec.partitionKeys.length) {
    return { folder: `${folder}${folders[spec.partitionKeys.length]}/`, reason: 'a folder below the last partition folder' };
  }
  return undefined;
}
