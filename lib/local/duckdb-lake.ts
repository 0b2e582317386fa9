import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { FileChecks, scanDataset, type BadFile } from '../lake/bad-files';
import { allDatasets, tableName } from '../schema/registry';
import { duckdbViewSql } from '../schema/derive/duckdb-ddl';
import { LocalObjectStore } from '../storage/local-store';
import type { ObjectInfo } from '../storage/object-store';
import type { DatasetSpec } from '../schema/types';
import { UserError } from '../util/errors';
import { logger } from '../util/log';

/**
 * DuckDB over a local lake folder: one view per dataset and layer, named `{layer}_{dataset}` exactly like the
 * Glue tables, with the partition keys as columns. Each view reads a checked list of files, so a bad file or
 * folder costs only its own rows, with a warning naming it (docs/bad-files.md).
 */

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
}

export interface LakeQueryOptions {
  /** Told once per file or folder a view leaves out; by default a warning in the log. */
  onBadFile?: (file: BadFile) => void;
  /**
   * Parameterised views over the dataset views (the research views of lib/queries), created as DuckDB table
   * macros: `SELECT * FROM name(arg, ...)`. `body` is SQL naming `params` where a value goes.
   */
  tableMacros?: readonly TableMacro[];
}

export interface TableMacro {
  name: string;
  params: readonly string[];
  body: string;
}

/** How many files one query may drop after DuckDB failed on them, before the error is passed on. */
const MAX_DROPPED_PER_QUERY = 20;

interface ViewFiles {
  spec: DatasetSpec;
  /** Undefined until a query first names the view. */
  files?: ObjectInfo[];
}

/**
 * Views are built over their files on first use: until a query names one, it is an empty view with the same
 * columns (so catalogue queries see every view). A query then pays only for the datasets it reads — listing
 * and checking a big lake's Bronze for a query on Gold would cost seconds for nothing.
 */
export class LakeQueryEngine {
  private readonly views = new Map<string, ViewFiles>();
  private readonly skipped: BadFile[] = [];
  private checks: FileChecks | undefined;
  private readonly store: LocalObjectStore;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly root: string,
    private readonly onBadFile: (file: BadFile) => void,
    private readonly macros: readonly TableMacro[],
  ) {
    this.store = new LocalObjectStore(root);
  }

  /** Opens the lake folder `root`; a folder that does not exist is a UserError (a typo'd --lake, not an empty lake). */
  static async open(root: string, options: LakeQueryOptions = {}): Promise<LakeQueryEngine> {
    const stat = await fs.stat(root).catch(() => undefined);
    if (!stat?.isDirectory()) throw new UserError(`no lake at ${root}: ${stat ? 'not a folder' : 'no such folder'}`);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const log = logger('query');
    const onBadFile =
      options.onBadFile ?? ((b: BadFile) => log.warn({ view: b.view, key: b.key, reason: b.reason }, 'skipped a bad file'));
    const engine = new LakeQueryEngine(instance, connection, root, onBadFile, options.tableMacros ?? []);
    await engine.refreshViews();
    // Macros are expanded when a query runs, so they read the views as they are built then.
    for (const m of engine.macros) {
      await connection.run(`CREATE OR REPLACE MACRO ${m.name}(${m.params.join(', ')}) AS TABLE ${m.body}`);
    }
    return engine;
  }

  /** Forgets what the views read: each is listed and checked again when a query next names it. */
  async refreshViews(): Promise<void> {
    await this.connection.run(`SET TimeZone = 'UTC'`);
    // DuckDB 1.5.5 (pinned: the npm registry here lacks other platforms' 1.5.6 binaries) fails min/max of a
    // Hive partition column over a single file while answering the aggregate from statistics ("Attempted to
    // access index N within vector of size N"). Partition pruning does not depend on that optimizer.
    await this.connection.run(`SET disabled_optimizers = 'statistics_propagation'`);
    this.skipped.length = 0;
    this.views.clear();
    this.checks = await FileChecks.open(this.store);
    for (const spec of allDatasets()) {
      this.views.set(tableName(spec), { spec });
      await this.connection.run(duckdbViewSql(spec, []));
    }
  }

  /** Runs SQL; `params` bind its `?` placeholders in order. */
  async query(sql: string, params?: (string | number | boolean | null)[]): Promise<QueryResult> {
    const reads = this.withMacroBodies(sql);
    await this.buildViewsOf(reads);
    for (let dropped = 0; ; dropped++) {
      try {
        const reader = await this.connection.runAndReadAll(sql, params);
        return {
          columns: reader.columnNames(),
          types: reader.columnTypes().map((t) => t.toString()),
          rows: reader.getRowObjectsJson(),
        };
      } catch (err) {
        // Damage the footer check cannot see (a broken data page) surfaces here.
        if (dropped >= MAX_DROPPED_PER_QUERY || !((await this.dropFileNamedIn(err)) || (await this.dropDamagedFiles(err, reads))))
          throw err;
      }
    }
  }

  viewNames(): string[] {
    return allDatasets().map(tableName);
  }

  /** The files and folders left out of the views built so far. */
  badFiles(): readonly BadFile[] {
    return this.skipped;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private skip(file: BadFile): void {
    this.skipped.push(file);
    this.onBadFile(file);
  }

  private filePath(key: string): string {
    return path.join(this.store.localRoot, key);
  }

  /** The SQL a query reads: its own text, and the body of each macro it names. */
  private withMacroBodies(sql: string): string {
    return [sql, ...this.macros.filter((m) => names(sql, m.name)).map((m) => m.body)].join('\n');
  }

  /** Lists and checks the files of every view `sql` names that is not built yet, and builds it over the good ones. */
  private async buildViewsOf(sql: string): Promise<void> {
    const built: string[] = [];
    for (const [view, state] of this.views) {
      if (state.files || !names(sql, view)) continue;
      const scan = await scanDataset(this.store, state.spec, this.checks!);
      for (const file of scan.bad) this.skip(file);
      state.files = scan.files;
      await this.createView(view);
      built.push(`${state.spec.layer}/${state.spec.name}/`);
    }
    if (built.length) await this.checks!.save({ prune: built });
  }

  private async createView(view: string): Promise<void> {
    const state = this.views.get(view)!;
    for (;;) {
      try {
        await this.connection.run(
          duckdbViewSql(
            state.spec,
            (state.files ?? []).map((f) => this.filePath(f.key)),
          ),
        );
        return;
      } catch (err) {
        // union_by_name reads every file's schema when the view is created.
        if (!(await this.dropFileNamedIn(err))) throw err;
      }
    }
  }

  /**
   * When a DuckDB error names exactly one file of a view, that file leaves the view, is reported and remembered
   * as bad (so the next query skips it up front), and the view is rebuilt. True when a file was dropped.
   */
  private async dropFileNamedIn(err: unknown): Promise<boolean> {
    const message = (err as Error).message ?? '';
    const named = new Set(Array.from(message.matchAll(/["']([^"'\n]+\.parquet)["']/g), (m) => m[1]));
    const hits: { view: string; file: ObjectInfo }[] = [];
    for (const [view, state] of this.views)
      for (const file of state.files ?? []) if (named.has(this.filePath(file.key))) hits.push({ view, file });
    if (hits.length !== 1) return false;
    await this.drop(hits[0].view, [{ file: hits[0].file, reason: `DuckDB cannot read it (${firstLine(message)})` }]);
    return true;
  }

  /**
   * DuckDB reports a broken data page without naming the file ("Failed to decompress GZIP block"). After such an
   * error, every file of the views the SQL names is read through once on its own; the ones that fail are dropped.
   * Slow on a big view, but only on the query that met the damage: the verdict is remembered.
   */
  private async dropDamagedFiles(error: unknown, sql: string): Promise<boolean> {
    const message = (error as Error).message ?? '';
    if (!DAMAGE.test(message)) return false;
    let found = false;
    for (const [view, state] of this.views) {
      if (!state.files || !names(sql, view)) continue;
      const damaged: { file: ObjectInfo; reason: string }[] = [];
      for (const file of state.files) {
        try {
          await this.connection.run(
            `SELECT count(hash(t)) FROM read_parquet('${this.filePath(file.key).replace(/'/g, "''")}') t`,
          );
        } catch (err) {
          damaged.push({ file, reason: `DuckDB cannot read it (${firstLine((err as Error).message)})` });
        }
      }
      if (damaged.length) {
        await this.drop(view, damaged);
        found = true;
      }
    }
    return found;
  }

  private async drop(view: string, bad: readonly { file: ObjectInfo; reason: string }[]): Promise<void> {
    const state = this.views.get(view)!;
    const gone = new Set(bad.map((b) => b.file.key));
    state.files = (state.files ?? []).filter((f) => !gone.has(f.key));
    for (const { file, reason } of bad) {
      this.checks?.markBad(file, reason);
      this.skip({ layer: state.spec.layer, view, key: file.key, reason });
    }
    await this.checks?.save();
    await this.createView(view);
  }
}

/** Errors DuckDB raises on damaged Parquet data, as opposed to mistakes in the SQL. */
const DAMAGE = /TProtocolException|decompress|corrupt|magic bytes|Invalid data|Invalid Input Error: .*parquet|IO Error/i;

/** Whether the SQL text names the view (view names are plain identifiers: letters, digits, '_'). */
const names = (sql: string, view: string) => new RegExp(`\\b${view}\\b`, 'i').test(sql);

const firstLine = (message: string) => message.split('\n')[0].slice(0, 200);
