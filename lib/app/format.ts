import type { QueryResult } from '../local/duckdb-lake';

/** Query results as text: an aligned table for people, CSV (header row, then rows) or JSON lines for pipes. */

export type OutputFormat = 'table' | 'csv' | 'json';

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function csvCell(v: unknown): string {
  const s = text(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatResult(r: QueryResult, format: OutputFormat): string {
  if (format === 'json') return r.rows.map((row) => JSON.stringify(row)).join('\n') + (r.rows.length ? '\n' : '');
  if (format === 'csv') return [r.columns.map(csvCell).join(','), ...r.rows.map((row) => r.columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
  const cells = r.rows.map((row) => r.columns.map((c) => (row[c] === null || row[c] === undefined ? 'NULL' : text(row[c]))));
  const widths = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(r.columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}
