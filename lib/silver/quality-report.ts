import type { KlineCleanStats } from './klines-1m';

/**
 * Per-partition quality report (SPEC §5, S5), JSON for machines and Markdown for people. The verdict
 * thresholds are documented here and in the README.
 */

export type Verdict = 'PASS' | 'INVESTIGATE' | 'FAIL';

export const VERDICT_RULES = {
  /** PASS needs at least this completeness, no quarantined rows and no OHLC violations. */
  passCompleteness: 0.999,
  /** Below this completeness the partition FAILs. */
  failCompleteness: 0.95,
} as const;

export interface QualityReport {
  exchange: string;
  symbol: string;
  dt: string;
  builtAt: string;
  verdict: Verdict;
  reasons: string[];
  klines_1m: KlineCleanStats & { completeness: number };
}

export function klineCompleteness(s: KlineCleanStats): number {
  return s.expected === 0 ? 0 : s.present / s.expected;
}

export function buildReport(p: { exchange: string; symbol: string; dt: string; builtAt: number; klines: KlineCleanStats }): QualityReport {
  const completeness = klineCompleteness(p.klines);
  const reasons: string[] = [];
  let verdict: Verdict = 'PASS';
  if (completeness < VERDICT_RULES.failCompleteness) {
    verdict = 'FAIL';
    reasons.push(`completeness ${(completeness * 100).toFixed(2)} % < ${VERDICT_RULES.failCompleteness * 100} %`);
  } else if (completeness < VERDICT_RULES.passCompleteness) {
    verdict = 'INVESTIGATE';
    reasons.push(`completeness ${(completeness * 100).toFixed(2)} % < ${VERDICT_RULES.passCompleteness * 100} %`);
  }
  if (p.klines.quarantined > 0) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${p.klines.quarantined} rows quarantined`);
  }
  if ((p.klines.flagged.INVALID_OHLC ?? 0) > 0) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${p.klines.flagged.INVALID_OHLC} bars violate OHLC logic`);
  }
  return {
    exchange: p.exchange, symbol: p.symbol, dt: p.dt, builtAt: new Date(p.builtAt).toISOString(), verdict, reasons,
    klines_1m: { ...p.klines, completeness },
  };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function reportMarkdown(r: QualityReport): string {
  const k = r.klines_1m;
  const lines = [
    `# Quality report: ${r.exchange} ${r.symbol} ${r.dt}`,
    '',
    `**Verdict: ${r.verdict}**${r.reasons.length ? ` (${r.reasons.join('; ')})` : ''}`,
    '',
    '## klines 1m',
    '',
    '| measure | value |',
    '|---|---|',
    `| rows in | ${k.rowsIn} |`,
    `| duplicates dropped | ${k.duplicates} |`,
    `| quarantined | ${k.quarantined} |`,
    `| rows out | ${k.kept} |`,
    `| minutes present / expected | ${k.present} / ${k.expected} |`,
    `| completeness | ${(k.completeness * 100).toFixed(3)} % |`,
    `| interpolated (FILLED) | ${k.filled} |`,
    `| missing minutes | ${k.missing} |`,
    ...Object.entries(k.flagged).map(([name, n]) => `| flagged ${name} | ${n} |`),
    '',
  ];
  if (k.missingRanges.length) {
    lines.push('### Gaps still missing', '', ...k.missingRanges.map(([a, b]) => `- ${iso(a)}–${iso(b)} UTC (${(b - a) / 60_000 + 1} min)`), '');
  }
  lines.push(`_Built ${r.builtAt}_`, '');
  return lines.join('\n');
}
