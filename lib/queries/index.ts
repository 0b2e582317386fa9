import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Saved queries, one SQL file each, written in the subset of SQL that Athena (Trino) and DuckDB share, with
 * `?` parameters (Athena's console asks for them; DuckDB binds them). A header gives name, description and
 * parameters. The CDK stack saves them as Athena named queries; a test runs them in DuckDB on a local lake.
 */

export interface SavedQuery {
  name: string;
  description: string;
  params: string[];
  sql: string;
  file: string;
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
  return { name, description, params, sql: text.trim(), file };
}
