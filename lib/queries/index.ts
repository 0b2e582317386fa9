import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Saved queries, one SQL file each, written in the subset of SQL that Athena (Trino) and DuckDB share, with
 * `?` parameters (Athena's console asks for them; DuckDB binds them). A header gives name, description and
 * parameters. The CDK stack saves them as Athena named queries; a test runs them in DuckDB on a local lake.
 * A query with a `-- view:` header is also a research view of `lakehouse query`: a DuckDB table macro of that
 * name, built from the same text with each `?` replaced by its parameter (SPEC L1).
 */

export interface SavedQuery {
  name: string;
  description: string;
  params: string[];
  sql: string;
  file: string;
  /** The local research view's name (`research_*`), when the query is one. */
  view?: string;
}

/** A parameterised view in DuckDB: `SELECT * FROM name(arg, ...)`. */
export interface TableMacro {
  name: string;
  /** Distinct parameters, in the order of their first `?`: the arguments the macro takes. */
  params: string[];
  /** The query, its `?` placeholders replaced by the parameters' names. */
  body: string;
}

export const QUERY_DIR = __dirname;

export function savedQueries(dir = QUERY_DIR): SavedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => parseQuery(file, readFileSync(path.join(dir, file), 'utf8')));
}

export function parseQuery(file: string, text: string): SavedQuery {
  const header = (key: string) => new RegExp(`^-- ${key}: (.*)$`, 'm').exec(text)?.[1]?.trim();
  const name = header('name');
  const description = header('description');
  if (!name || !description) throw new Error(`${file}: needs '-- name:' and '-- description:' header lines`);
  const params = (header('params') ?? '')
    .split(',')
    .map((p) => p.trim().split(' ')[0])
    .filter(Boolean);
  const placeholders = (text.replace(/^--.*$/gm, '').match(/\?/g) ?? []).length;
  if (placeholders !== params.length)
    throw new Error(`${file}: ${placeholders} '?' placeholders but ${params.length} params in the header`);
  const view = header('view');
  if (view !== undefined && !/^research_[a-z0-9_]+$/.test(view)) throw new Error(`${file}: a view is named research_[a-z0-9_]+`);
  return { name, description, params, sql: text.trim(), file, ...(view ? { view } : {}) };
}

/** The research views: the saved queries with a `-- view:` header, as DuckDB table macros. */
export function researchViews(queries = savedQueries()): TableMacro[] {
  return queries.filter((q) => q.view).map(tableMacro);
}

/**
 * Each `?` becomes its header parameter, prefixed `p_` so it cannot be read as a column of the same name (`symbol`);
 * a parameter the query asks for twice (a date range per table, as Athena's positional parameters need) is one
 * argument. Comment lines are dropped first, as parseQuery counts placeholders without them.
 */
export function tableMacro(q: SavedQuery): TableMacro {
  let next = 0;
  const body = q.sql
    .replace(/^--.*$/gm, '')
    .trim()
    .replace(/\?/g, () => `p_${q.params[next++]}`);
  return { name: q.view ?? q.name, params: [...new Set(q.params)].map((p) => `p_${p}`), body };
}
