import { ShardedMap } from '../util/sharded-map';
import { QualityFlag, type QualityFlagName } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { validateTable } from '../schema/validate';
import { dayStart } from '../storage/lake-paths';
import { Table } from '../table/table';
import { DAY_MS } from '../util/time';

/**
 * The Silver steps the event datasets (book_top10, quotes, funding, open_interest, liquidations) share:
 * keep the date's rows, registry validation plus dataset rules into quarantine, first copy of each duplicate,
 * sort, quality flags. Everything works on row indices over the Bronze columns, never on row objects, because
 * a day of book snapshots is 864,000 rows × 46 columns.
 */

export interface CleanStats {
  /** Rows whose time column falls on the date (the input may carry a margin of neighbouring hours). */
  rowsIn: number;
  /** Rows of the input outside the date, or without a time, left to the run of their own date. */
  outsideDay: number;
  rowsOut: number;
  /** Valid rows dropped as later copies of a kept row. */
  duplicates: number;
  quarantined: number;
  /** Quarantined rows per reason, the offending value left out so that one rule is one entry. */
  quarantinedByReason: Record<string, number>;
  /** Silver rows per quality flag name. */
  flagged: Record<string, number>;
}

export interface CleanResult<S extends CleanStats = CleanStats> {
  silver: Table;
  quarantine: Table;
  stats: S;
}

/** Per-row rules on top of the registry validator: the reason to quarantine row i, or null. */
export type RowCheck = (i: number) => string | null;

export interface CleanRules {
  /** Dataset name, the same in bronze, silver and quarantine. */
  name: string;
  check?: RowCheck;
  /**
   * Duplicate detection: rows are candidates when their keys are equal (Map semantics, so 1 and '1' differ)
   * and duplicates when `same` also holds. Numbers are preferred as keys; strings only for rare cases.
   */
  dedupeKey: (i: number) => number | string;
  same?: (i: number, j: number) => boolean;
  /** Numeric columns to sort the output by, in order; nulls sort last. */
  sortBy: readonly string[];
  /** Quality flags of a kept row (0 when absent). */
  flags?: (i: number) => number;
}

/** `a === b` that also holds for two nulls (NaN in numeric columns). */
export const sameNum = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

/** BACKFILLED for rows from the REST API in datasets the collector streams over WebSocket. */
export function backfilledFlag(bronze: Table): (i: number) => number {
  const source = bronze.str('source');
  return (i) => (source[i] === 'rest' ? QualityFlag.BACKFILLED : 0);
}

/** Reason without the offending value (`funding_rate=2 is above 1` → `funding_rate is above 1`). */
export function reasonKind(reason: string): string {
  return reason.replace(/=\S+/, '');
}

/** Fails fast on a table of another dataset, before any column lookup can fail less clearly. */
export function expectBronze(bronze: Table, name: string): void {
  if (bronze.spec.layer !== 'bronze' || bronze.spec.name !== name) {
    throw new Error(`Silver ${name} cleaning needs bronze/${name} rows, got ${bronze.spec.layer}/${bronze.spec.name}`);
  }
}

export function cleanEvents(bronze: Table, dt: string, nowMs: number, rules: CleanRules): CleanResult {
  const silverSpec = dataset('silver', rules.name);
  const qSpec = dataset('quarantine', rules.name);
  const bronzeSpec = dataset('bronze', rules.name);
  expectBronze(bronze, rules.name);
  const start = dayStart(dt);
  const end = start + DAY_MS;
  const time = bronze.num(bronzeSpec.timeColumn);
  const ingest = bronze.num('ingest_time');

  const stats: CleanStats = {
    rowsIn: 0,
    outsideDay: 0,
    rowsOut: 0,
    duplicates: 0,
    quarantined: 0,
    quarantinedByReason: {},
    flagged: {},
  };
  const bad = validateTable(bronze);
  const qIdx: number[] = [];
  const qReason: string[] = [];
  // Dedupe buckets hold the kept candidates per key; a later copy with an earlier ingest time replaces the kept
  // one, so the first copy received wins whatever order the Bronze files were read in.
  // A bucket is a bare index until a second distinct row shares its key: a day of book snapshots is 864,000
  // keys, and an array per key would double the cost of the pass.
  const buckets = new ShardedMap<number | string, number | number[]>();
  const kept = new Uint8Array(bronze.length);
  const same = rules.same ?? (() => true);

  for (let i = 0; i < bronze.length; i++) {
    const t = time[i];
    if (!(t >= start && t < end)) {
      stats.outsideDay++;
      continue;
    }
    stats.rowsIn++;
    const reason = bad.get(i) ?? rules.check?.(i) ?? null;
    if (reason) {
      qIdx.push(i);
      qReason.push(reason);
      const kind = reasonKind(reason);
      stats.quarantinedByReason[kind] = (stats.quarantinedByReason[kind] ?? 0) + 1;
      continue;
    }
    const key = rules.dedupeKey(i);
    const found = buckets.get(key);
    if (found === undefined) {
      buckets.set(key, i);
      kept[i] = 1;
      continue;
    }
    const bucket = typeof found === 'number' ? [found] : found;
    const k = bucket.findIndex((j) => same(i, j));
    if (k < 0) {
      bucket.push(i);
      kept[i] = 1;
      buckets.set(key, bucket);
      continue;
    }
    stats.duplicates++;
    const j = bucket[k];
    if (ingest[i] < ingest[j]) {
      bucket[k] = i;
      kept[j] = 0;
      kept[i] = 1;
      buckets.set(key, bucket);
    }
  }
  stats.quarantined = qIdx.length;

  const order = sortedIndices(bronze, kept, [...rules.sortBy, 'ingest_time']);
  const flags = new Float64Array(order.length);
  if (rules.flags) {
    for (let r = 0; r < order.length; r++) {
      const f = rules.flags(order[r]);
      flags[r] = f;
      if (f)
        for (const [name, bit] of Object.entries(QualityFlag))
          if (f & bit) stats.flagged[name as QualityFlagName] = (stats.flagged[name] ?? 0) + 1;
    }
  }
  const silverTaken = bronze.take(order).reshape(silverSpec);
  const silver = new Table(silverSpec, order.length, { ...silverTaken.columns, quality_flags: flags });
  stats.rowsOut = silver.length;

  const qTaken = bronze.take(qIdx).reshape(qSpec);
  const quarantine = new Table(qSpec, qIdx.length, {
    ...qTaken.columns,
    quarantine_reason: qReason,
    quarantined_at: new Float64Array(qIdx.length).fill(nowMs),
  });
  return { silver, quarantine, stats };
}

/** Indices of the kept rows ordered by `keys` (nulls last), then by position; skips the sort when already in order. */
function sortedIndices(table: Table, kept: Uint8Array, keys: readonly string[]): Int32Array {
  let n = 0;
  for (let i = 0; i < kept.length; i++) n += kept[i];
  const idx = new Int32Array(n);
  for (let i = 0, o = 0; i < kept.length; i++) if (kept[i]) idx[o++] = i;
  const cols = keys.map((k) => table.num(k));
  const cmp = (a: number, b: number): number => {
    for (const c of cols) {
      const x = c[a],
        y = c[b];
      if (x === y || (x !== x && y !== y)) continue;
      if (x !== x) return 1;
      if (y !== y) return -1;
      return x - y;
    }
    return a - b;
  };
  // Bronze is mostly in order already (files of one connection, hour by hour): a linear check saves the sort.
  let sorted = true;
  for (let r = 1; r < n && sorted; r++) if (cmp(idx[r - 1], idx[r]) > 0) sorted = false;
  if (!sorted) idx.sort(cmp);
  return idx;
}

/** Times an update id goes backwards between consecutive non-null ids of a sorted Silver table. */
export function countBackwards(ids: Float64Array): number {
  let backwards = 0;
  let prev = NaN;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id !== id) continue;
    if (id < prev) backwards++;
    prev = id;
  }
  return backwards;
}
