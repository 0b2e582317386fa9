import type { Cell, ReportTable } from './types';

/**
 * Markdown rendering of report tables. Ratio columns show `value (r×)` against the reference row, so a table
 * pasted into docs carries its own comparison; failures become footnotes so the cell stays narrow.
 */

/** A failure cell: footnoted under its table with what failed and why. */
export function failCell(what: string, outcome: { error?: string }): Cell {
  return { error: `${what}: ${outcome.error ?? 'failed'}` };
}

export function formatNumber(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatRatio(v: number, ref: number): string {
  if (!Number.isFinite(v) || !Number.isFinite(ref) || ref === 0) return '';
  const r = v / ref;
  return ` (${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×)`;
}

const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(t: ReportTable): string {
  const footnotes: string[] = [];
  const ref = t.reference ? t.rows.find((r) => r[t.reference!.key] === t.reference!.value) : undefined;
  const cell = (c: Cell, digits: number | undefined, ratio: boolean, refCell: Cell | undefined): string => {
    if (c === null || c === undefined) return '—';
    if (typeof c === 'object') {
      footnotes.push(c.error);
      return `failed [${footnotes.length}]`;
    }
    if (typeof c === 'string') return escape(c);
    return formatNumber(c, digits) + (ratio && typeof refCell === 'number' ? formatRatio(c, refCell) : '');
  };
  const lines = [
    `### ${t.title}`,
    '',
    `| ${t.columns.map((c) => escape(c.label)).join(' | ')} |`,
    `|${t.columns.map((c) => (c.digits !== undefined || c.ratio ? '---:' : '---')).join('|')}|`,
  ];
  for (const row of t.rows) {
    lines.push(`| ${t.columns.map((c) => cell(row[c.key] ?? null, c.digits, c.ratio ?? false, ref?.[c.key])).join(' | ')} |`);
  }
  const notes = [...footnotes.map((f, i) => `[${i + 1}] ${escape(f)}`), ...(t.notes ?? [])];
  if (ref && t.columns.some((c) => c.ratio))
    notes.unshift(`Ratios (×) are against ${t.reference!.value}, measured in the same run.`);
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
