import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { allDatasets, tableName } from '../schema/registry';
import { duckdbViewSql } from '../schema/derive/duckdb-ddl';
import { LocalObjectStore } from '../storage/local-store';
import type { DatasetSpec } from '../schema/types';

/**
 * DuckDB over a local lake folder: one view per dataset and layer, named `{layer}_{dataset}` exactly like the
 * Glue tables, with the partition keys as columns.
 */

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
}

export class LakeQueryEngine {
  private constructor(private readonly instance: DuckDBInstance, readonly connection: DuckDBConnection, readonly root: string) {}

  static async open(root: string): Promise<LakeQueryEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const engine = new LakeQueryEngine(instance, connection, root);
    await engine.refreshViews();
    return engine;
  }

  /** (Re)create every view; a dataset with no files yet gets an empty, typed view. */
  async refreshViews(): Promise<void> {
    const store = new LocalObjectStore(this.root);
    await this.connection.run(`SET TimeZone = 'UTC'`);
    // DuckDB 1.5.5 (pinned: the npm registry here lacks other platforms' 1.5.6 binaries) fails min/max of a
    // Hive partition column over a single file while answering the aggregate from statistics ("Attempted to
    // access index N within vector of size N"). Partition pruning does not depend on that optimizer.
    await this.connection.run(`SET disabled_optimizers = 'statistics_propagation'`);
    for (const d of allDatasets()) {
      await this.connection.run(duckdbViewSql(d, store.localRoot, await hasParquet(store, d)));
    }
  }

  /** Runs SQL; `params` bind its `?` placeholders in order. */
  async query(sql: string, params?: (string | number | boolean | null)[]): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: reader.getRowObjectsJson() as Record<string, unknown>[],
    };
  }

  viewNames(): string[] {
    return allDatasets().map(tableName);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

async function hasParquet(store: LocalObjectStore, d: DatasetSpec): Promise<boolean> {
  for await (const o of store.list(`${d.layer}/${d.name}/`)) if (o.key.endsWith('.parquet')) return true;
  return false;
}
