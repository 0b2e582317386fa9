import type { QueryResult } from '../local/duckdb-lake';

/** Query results as text: an aligned table for people, CSV (header row, then rows) or JSON lines for pipes. */

export type OutputFormat = 'table' | 'csv' | 'json';

/** A cell as text: DuckDB's JSON rows hold null, booleans, numbers, strings, arrays and objects. */
function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'function') return v.toString();
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v === 'symbol' ? String(v) : '';
}

function csvCell(value: unknown): string {
  const cell = text(value);
  return /[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function formatResult(result: QueryResult, format: OutputFormat): string {
  if (format === 'json') return result.rows.map((row) => JSON.stringify(row)).join('\n') + (result.rows.length ? '\n' : '');
  if (format === 'csv')
    return (
      [
        result.columns.map(csvCell).join(','),
        ...result.rows.map((row) => result.columns.map((c) => csvCell(row[c])).join(',')),
      ].join('\n') + '\n'
    );
  const cells = result.rows.map((row) =>
    result.columns.map((c) => (row[c] === null || row[c] === undefined ? 'NULL' : text(row[c]))),
  );
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return (
    [
      line(result.columns),
      widths.map((w) => '-'.repeat(w)).join('-+-'),
      ...cells.map(line),
      `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`,
    ].join('\n') + '\n'
  );
}
