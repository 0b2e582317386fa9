import { QualityFlag } from '../schema/quality-flags';
import type { Table } from '../table/table';

/**
 * `LATE` (docs/silver.md#late-data): a row that reached Bronze after its Silver partition was first built. Measured
 * against the first build (kept in the quality report), not the latest, so rebuilding the same input keeps the same
 * flags and stays byte-identical.
 */
export function markLate(silver: Table, firstBuiltAt: number | undefined): number {
  if (firstBuiltAt === undefined || silver.length === 0) return 0;
  const ingest = silver.num('ingest_time');
  const flags = silver.num('quality_flags');
  let late = 0;
  for (let i = 0; i < silver.length; i++) {
    if (ingest[i] > firstBuiltAt) {
      flags[i] = flags[i] | QualityFlag.LATE;
      late++;
    }
  }
  return late;
}
