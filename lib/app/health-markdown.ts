import type { LakeHealth } from './health-types';

/** Lake health as people read it: ages in words and the whole health as Markdown. */

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

const pct = (value: number) => `${value.toFixed(2)} %`;

/** The health as Markdown, for `lakehouse health` and humans reading a Lambda's result. */
export function healthMarkdown(health: LakeHealth): string {
  const lines = [
    `# Lake health: ${health.ok ? 'OK' : `${health.problems.length} problem${health.problems.length === 1 ? '' : 's'}`}`,
    '',
    `_Checked ${health.checkedAt}_`,
    '',
    ...health.problems.map((p) => `- ${p}`),
    ...(health.problems.length ? [''] : []),
    `## Bronze freshness (1m klines, stale after ${formatAge(health.staleAfterSeconds)})`,
    '',
  ];
  if (health.bronze.length === 0) lines.push('No Bronze 1m klines.', '');
  else {
    lines.push('| exchange | symbol | newest | age | status |', '|---|---|---|---|---|');
    for (const ex of health.bronze) {
      for (const sym of ex.symbols) {
        lines.push(
          `| ${ex.exchange} | ${sym.symbol} | ${sym.newestAt} (${sym.basis}) | ${formatAge(sym.ageSeconds)} ` +
            `| ${sym.fresh ? 'fresh' : '**stale**'} |`,
        );
      }
    }
    lines.push('');
  }
  lines.push(`## Silver quality${health.silver.dt ? ` (dt=${health.silver.dt})` : ''}`, '');
  if (health.silver.reports.length === 0) lines.push('No quality reports.', '');
  else {
    lines.push('| exchange | symbol | verdict | completeness | reasons |', '|---|---|---|---|---|');
    for (const report of health.silver.reports) {
      lines.push(
        `| ${report.exchange} | ${report.symbol} | ${report.verdict} | ${pct(report.completenessPercent)} | ${report.reasons.join('; ')} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Gold feature validity (latest readable partition per symbol)', '');
  if (health.gold.length === 0) lines.push('No Gold features.', '');
  else {
    lines.push('| exchange | symbol | dt | rows | data_ok | invalid values |', '|---|---|---|---|---|---|');
    for (const gold of health.gold) {
      const invalid = `${gold.invalid}${gold.invalid ? ` (${gold.invalidFeatures.join(', ')})` : ''}`;
      lines.push(`| ${gold.exchange} | ${gold.symbol} | ${gold.dt} | ${gold.rows} | ${pct(gold.dataOkPercent)} | ${invalid} |`);
    }
    lines.push('');
  }
  const badFiles = health.badFiles;
  lines.push(`## Bad files (${badFiles.scope === 'lake' ? 'every data file checked' : 'as recorded by the latest builds'})`, '');
  if (badFiles.count === 0) lines.push('None.', '');
  else {
    lines.push('| layer | view | file or folder | reason |', '|---|---|---|---|');
    for (const [layer, { files }] of Object.entries(badFiles.layers)) {
      for (const file of files) {
        lines.push(
          `| ${layer} | ${file.view} | \`${file.key}\`${file.files === undefined ? '' : ` (${file.files} files)`} | ${file.reason} |`,
        );
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
