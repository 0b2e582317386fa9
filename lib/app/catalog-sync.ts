import { ATHENA_PARTITION_LIMIT, projectedPartitions } from '../catalog/athena-partitions';
import { CatalogConflictError, type TableCatalog } from '../catalog/table-catalog';
import { discoverKeyValues } from '../lake/discover';
import { ENUM_KEYS, enumParameters, enumValues, enumValuesKey, isEnumKey, type EnumKey } from '../schema/derive/glue-projection';
import { allDatasets, tableName } from '../schema/registry';
import type { DatasetSpec } from '../schema/types';
import { symbolPathValue } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';

/**
 * The catalog follows the lake: for every table of the registry, the exchanges, symbols and timeframes its
 * projection enumerates become what the deployment configures plus what the lake holds, so data that an
 * import, a history load or a new collector symbol wrote is queryable in Athena within a run, with no
 * redeploy. Values the lake no longer holds (expired Bronze) drop out again, unless configured. The lake is
 * read by listing partition folders above `dt` only; a table is written only when its values changed.
 */

export interface CatalogSyncOptions {
  store: ObjectStore;
  catalog: TableCatalog;
  /** Projected whether or not the lake holds them yet: the deployment's exchanges and symbols. */
  configured: { exchanges: readonly string[]; symbols: readonly string[] };
  /** Defaults to every dataset of the registry. */
  datasets?: readonly DatasetSpec[];
  /** The time partition counts are computed at. */
  nowMs?: number;
}

type KeyLists = Partial<Record<EnumKey, string[]>>;

export interface TableSync {
  table: string;
  updated: boolean;
  /** What the table projects after the run. */
  projected: KeyLists;
  added: KeyLists;
  removed: KeyLists;
  /** Folder values that cannot be projected (an enum value cannot hold a comma), left out. */
  ignored: string[];
  /** Partitions an unfiltered query projects, and a query filtered on one symbol. */
  partitions?: { unfiltered: number; oneSymbol: number };
  error?: string;
}

export interface CatalogSyncResult {
  tables: TableSync[];
  updated: Pick<TableSync, 'table' | 'added' | 'removed'>[];
  failed: Pick<TableSync, 'table' | 'error'>[];
  /** Queries that would now exceed Athena's partition limit although the design promises they do not. */
  warnings: string[];
  /** S3 listings made (each one LIST request, a page of up to 1,000 folders). */
  listings: number;
}

/** Partition values are projected as written in the path; anything outside this would corrupt the enum. */
const PROJECTABLE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A deployment or a concurrent run may win the race for a table; read it again this many times. */
const ATTEMPTS = 3;

export async function syncCatalog(options: CatalogSyncOptions): Promise<CatalogSyncResult> {
  const configured = {
    exchanges: options.configured.exchanges,
    symbols: options.configured.symbols.map((s) => symbolPathValue(s.toUpperCase())),
  };
  const nowMs = options.nowMs ?? Date.now();
  const result: CatalogSyncResult = { tables: [], updated: [], failed: [], warnings: [], listings: 0 };
  for (const spec of options.datasets ?? allDatasets()) {
    const sync: TableSync = { table: tableName(spec), updated: false, projected: {}, added: {}, removed: {}, ignored: [] };
    result.tables.push(sync);
    try {
      const keys = spec.partitionKeys.map((k) => k.name).filter(isEnumKey);
      const lake = await discoverKeyValues(options.store, spec, keys);
      result.listings += lake.listings;
      const found: Partial<Record<EnumKey, string[]>> = {};
      for (const [key, values] of lake.values) {
        found[key] = [...values].filter((v) => PROJECTABLE.test(v));
        sync.ignored.push(...[...values].filter((v) => !PROJECTABLE.test(v)).map((v) => `${key}=${v}`));
      }
      await updateTable(spec, sync, enumParameters(spec, enumValues(spec, configured, found)));
      if (sync.partitions) result.warnings.push(...limitWarnings(spec, sync.partitions));
    } catch (err) {
      sync.error = (err as Error).message;
      result.failed.push({ table: sync.table, error: sync.error });
    }
    if (sync.updated) result.updated.push({ table: sync.table, added: sync.added, removed: sync.removed });
  }
  return result;

  async function updateTable(spec: DatasetSpec, sync: TableSync, wanted: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const table = await options.catalog.table(sync.table);
      const next = { ...table.parameters, ...wanted };
      describe(sync, table.parameters, next);
      sync.partitions = partitionsOf(
        next,
        spec.partitionKeys.map((k) => k.name),
      );
      if (Object.keys(wanted).every((k) => table.parameters[k] === wanted[k])) return;
      try {
        await table.setParameters(next);
        sync.updated = true;
        return;
      } catch (err) {
        if (!(err instanceof CatalogConflictError) || attempt >= ATTEMPTS) throw err;
      }
    }
  }

  function partitionsOf(parameters: Record<string, string>, keys: string[]): TableSync['partitions'] {
    try {
      return {
        unfiltered: projectedPartitions(parameters, keys, {}, nowMs),
        oneSymbol: projectedPartitions(parameters, keys, { symbol: 1 }, nowMs),
      };
    } catch {
      // A table someone gave a projection this arithmetic does not know: nothing to promise about it.
      return undefined;
    }
  }
}

function describe(sync: TableSync, before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): void {
  const list = (p: Readonly<Record<string, string>>, k: EnumKey) => (p[enumValuesKey(k)] ? p[enumValuesKey(k)].split(',') : []);
  for (const key of ENUM_KEYS) {
    if (after[enumValuesKey(key)] === undefined) continue;
    const [was, now] = [list(before, key), list(after, key)];
    sync.projected[key] = now;
    const added = now.filter((v) => !was.includes(v));
    const removed = was.filter((v) => !now.includes(v));
    if (added.length) sync.added[key] = added;
    else delete sync.added[key];
    if (removed.length) sync.removed[key] = removed;
    else delete sync.removed[key];
  }
}

/** Bronze must answer an unfiltered query, and every table a query on one symbol. */
function limitWarnings(spec: DatasetSpec, partitions: NonNullable<TableSync['partitions']>): string[] {
  const out: string[] = [];
  const warn = (query: string, count: number) => {
    if (count <= ATHENA_PARTITION_LIMIT) return;
    out.push(`${tableName(spec)}: ${query} projects ${count.toLocaleString('en-US')} partitions, over Athena's limit`);
  };
  if (spec.layer === 'bronze') warn('an unfiltered query', partitions.unfiltered);
  warn('a query on one symbol', partitions.oneSymbol);
  return out;
}
