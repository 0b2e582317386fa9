import type { KlineCleanStats } from './klines-1m';
import type { ParityResult } from './kline-parity';
import { TRADE_PARITY_RULES, type TradeBarParity } from './trade-bar-parity';

/**
 * Per-partition quality report (docs/silver.md#verdict), JSON for machines and Markdown for people. The verdict
 * thresholds are documented here and in the README.
 */

export type Verdict = 'PASS' | 'INVESTIGATE' | 'FAIL';

export const VERDICT_RULES = {
  /** PASS needs at least this completeness, no quarantined rows and no OHLC violations. */
  passCompleteness: 0.999,
  /** Below this completeness the partition FAILs. */
  failCompleteness: 0.95,
  /**
   * Any minute where sources disagree (SOURCE_CONFLICT) makes the verdict INVESTIGATE; above this share of the
   * day's present minutes it FAILs: one source is then wrong throughout, e.g. another symbol's archive.
   */
  failConflictShare: 0.01,
} as const;

export interface QualityReport {
  exchange: string;
  symbol: string;
  dt: string;
  builtAt: string;
  /** When the partition was first built: rows that reach Bronze after it are flagged LATE. */
  firstBuiltAt: string;
  verdict: Verdict;
  reasons: string[];
  klines_1m: KlineCleanStats & { completeness: number };
  /** The event datasets cleaned the same day (trades, quotes, book_top10, …, bars_1s): each cleaner's statistics. */
  datasets?: Record<string, Record<string, unknown>>;
  /** Derived 5m/15m bars against the exchange's own bars of those timeframes. */
  parity?: Record<string, ParityResult>;
  /** The 1m bars against the bars rebuilt from the day's trades (docs/silver.md, "Parity with the exchange's bars"). */
  tradeParity?: TradeBarParity;
  /** Bronze files the build could not read and went on without (docs/bad-files.md). */
  unreadableFiles?: { key: string; reason: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function klineCompleteness(stats: KlineCleanStats): number {
  return stats.expected === 0 ? 0 : stats.present / stats.expected;
}

export function buildReport(p: {
  exchange: string;
  symbol: string;
  dt: string;
  builtAt: number;
  firstBuiltAt?: number;
  klines: KlineCleanStats;
  datasets?: Record<string, Record<string, unknown>>;
  parity?: Record<string, ParityResult>;
  tradeParity?: TradeBarParity;
  unreadableFiles?: { key: string; reason: string }[];
}): QualityReport {
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
  const conflicts = p.klines.conflicts;
  if (conflicts > 0) {
    const share = conflicts / Math.max(1, p.klines.present);
    const first = p.klines.conflictSamples[0];
    const example = first
      ? ` (first ${iso(first.open_time)}: ${first.kept.source} close ${first.kept.close}` +
        ` vs ${first.other.source} ${first.other.close})`
      : '';
    if (share > VERDICT_RULES.failConflictShare) verdict = 'FAIL';
    else if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${conflicts} minutes where sources disagree${example}`);
  }
  if ((p.klines.flagged.INVALID_OHLC ?? 0) > 0) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${p.klines.flagged.INVALID_OHLC} bars violate OHLC logic`);
  }
  for (const [name, st] of Object.entries(p.datasets ?? {})) {
    const quarantined = Number(st.quarantined ?? 0);
    if (quarantined > 0) {
      if (verdict === 'PASS') verdict = 'INVESTIGATE';
      reasons.push(`${quarantined} ${name} rows quarantined`);
    }
  }
  for (const [tf, r] of Object.entries(p.parity ?? {})) {
    if (r.differing > 0) {
      if (verdict === 'PASS') verdict = 'INVESTIGATE';
      reasons.push(`${r.differing} of ${r.compared} ${tf} bars differ from the exchange's`);
    }
  }
  const tp = p.tradeParity;
  if (tp && tp.disagreeing > TRADE_PARITY_RULES.investigateShare * tp.compared) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    const first = tp.samples[0];
    const example = first
      ? ` (first ${iso(first.open_time)}: ${first.field} ${first.kline} in the ${first.source} kline, ${first.trades} from trades)`
      : '';
    reasons.push(`${tp.disagreeing} of ${tp.compared} 1m bars disagree with the day's trades${example}`);
  }
  const missingIds = Number(p.datasets?.trades?.missingIds ?? 0);
  if (missingIds > 0) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${missingIds} trade ids missing`);
  }
  // Rows of an unreadable file are unknown, so nothing the other checks say can make the partition PASS.
  const unreadable = p.unreadableFiles?.length ?? 0;
  if (unreadable > 0) {
    if (verdict === 'PASS') verdict = 'INVESTIGATE';
    reasons.push(`${unreadable} Bronze file${unreadable === 1 ? '' : 's'} unreadable, skipped`);
  }
  return {
    exchange: p.exchange,
    symbol: p.symbol,
    dt: p.dt,
    builtAt: new Date(p.builtAt).toISOString(),
    firstBuiltAt: new Date(p.firstBuiltAt ?? p.builtAt).toISOString(),
    verdict,
    reasons,
    klines_1m: { ...p.klines, completeness },
    ...(p.datasets ? { datasets: p.datasets } : {}),
    ...(p.parity ? { parity: p.parity } : {}),
    ...(p.tradeParity ? { tradeParity: p.tradeParity } : {}),
    ...(unreadable ? { unreadableFiles: p.unreadableFiles } : {}),
  };
}

export function reportMarkdown(report: QualityReport): string {
  const k = report.klines_1m;
  const lines = [
    `# Quality report: ${report.exchange} ${report.symbol} ${report.dt}`,
    '',
    `**Verdict: ${report.verdict}**${report.reasons.length ? ` (${report.reasons.join('; ')})` : ''}`,
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
  if (k.conflicts) {
    lines.push(
      '### Sources disagree',
      '',
      `${k.conflicts} minutes have closed versions that differ (flagged SOURCE_CONFLICT); the first:`,
      '',
      '| minute (UTC) | kept | close | other | close |',
      '|---|---|---:|---|---:|',
      ...k.conflictSamples.map(
        (c) => `| ${iso(c.open_time)} | ${c.kept.source} | ${c.kept.close} | ${c.other.source} | ` + `${c.other.close} |`,
      ),
      '',
    );
  }
  if (k.missingRanges.length) {
    lines.push(
      '### Gaps still missing',
      '',
      ...k.missingRanges.map(([a, b]) => `- ${iso(a)}–${iso(b)} UTC (${(b - a) / 60_000 + 1} min)`),
      '',
    );
  }
  const parity = Object.entries(report.parity ?? {});
  if (parity.length) {
    lines.push(
      "## Parity with the exchange's own bars",
      '',
      '| timeframe | compared | matching | differing | no derived bar |',
      '|---|---:|---:|---:|---:|',
      ...parity.map(
        ([tf, parity]) => `| ${tf} | ${parity.compared} | ${parity.matching} | ${parity.differing} | ${parity.unmatched} |`,
      ),
      '',
    );
  }
  const tp = report.tradeParity;
  if (tp) {
    const fields = Object.entries(tp.byField)
      .map(([field, minutes]) => `${field} ${minutes}`)
      .join(', ');
    lines.push(
      "## Parity with the day's trades",
      '',
      `1m bars rebuilt from trades against the kept klines ` +
        `(OHLC and volume within ${TRADE_PARITY_RULES.relTol} relative, trade counts exact):`,
      '',
      '| minutes compared | disagreeing | by field | trade minutes without a kline |',
      '|---:|---:|---|---:|',
      `| ${tp.compared} | ${tp.disagreeing} | ${fields || '—'} | ${tp.tradeMinutesWithoutKline} |`,
      '',
    );
    if (tp.samples.length) {
      lines.push(
        '| minute (UTC) | field | from trades | kline | kline source |',
        '|---|---|---:|---:|---|',
        ...tp.samples.map((d) => `| ${iso(d.open_time)} | ${d.field} | ${d.trades} | ${d.kline} | ${d.source} |`),
        '',
      );
    }
  }
  const ds = Object.entries(report.datasets ?? {});
  if (ds.length) {
    const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '—');
    lines.push(
      '## Event datasets',
      '',
      '| dataset | rows in | duplicates | quarantined | rows out |',
      '|---|---:|---:|---:|---:|',
      ...ds.map(([name, st]) => `| ${name} | ${n(st.rowsIn)} | ${n(st.duplicates)} | ${n(st.quarantined)} | ${n(st.rowsOut)} |`),
      '',
    );
    const gaps = (report.datasets?.trades?.idGaps ?? []) as {
      afterId: number;
      beforeId: number;
      missing: number;
      from: number;
      to: number;
    }[];
    if (gaps.length) {
      lines.push(
        '### Trade id gaps',
        '',
        ...gaps.slice(0, 50).map((g) => `- ${g.missing} id(s) after ${g.afterId}, ${iso(g.from)}–${iso(g.to)} UTC`),
        '',
      );
    }
  }
  if (report.unreadableFiles?.length) {
    lines.push(
      '## Unreadable Bronze files (skipped)',
      '',
      ...report.unreadableFiles.map((f) => `- \`${f.key}\`: ${f.reason}`),
      '',
    );
  }
  lines.push(`_Built ${report.builtAt}_`, '');
  return lines.join('\n');
}
