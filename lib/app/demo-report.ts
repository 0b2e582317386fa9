import type { DemoReport } from './demo';
import { formatResult } from './format';

/** The demo's report as text for the terminal. */
export function demoReportText(report: DemoReport): string {
  const withCommas = (x: number) => x.toLocaleString('en-US');
  const collector = report.live.collector;
  const lines = [
    '',
    'crypto-lakehouse demo',
    '=====================',
    `lake:        ${report.lake}`,
    `symbols:     ${report.symbols.join(', ')} (simulated Binance spot)`,
    `days:        ${report.days.join(', ')}`,
    `REST backfill: ${withCommas(report.backfilledRows)} 1m klines before the live window`,
    `live window: ${report.live.from} → ${report.live.to} over WebSocket in ${report.live.wallSeconds.toFixed(1)} s:`,
    `             ${withCommas(collector.messages)} messages, ${withCommas(collector.records)} ` +
      `rows, ${collector.filesWritten} Bronze files, ${Object.values(collector.errors).reduce((a, e) => a + e.count, 0)} parse errors`,
    '',
    'rows per layer',
    ...Object.entries(report.rowsPerLayer).map(([layer, rows]) => `  ${layer.padEnd(8)} ${withCommas(rows).padStart(12)}`),
    '',
    'partitions (klines 1m completeness, Silver verdict, Gold rows / data_ok rows;',
    '  on the live day data_ok also needs the order book, which only the live window has)',
    ...report.partitions.map(
      (p) =>
        `  ${p.dt} ${p.symbol.padEnd(9)} ${(p.completeness * 100).toFixed(2).padStart(6)} ` +
        `%  ${p.verdict.padEnd(11)} ${withCommas(p.goldRows)} / ${withCommas(p.dataOkRows)}`,
    ),
    '',
    'sample query (lakehouse query "..." --lake ' + report.lake + ')',
    ...report.sample.sql.split('\n').map((l) => `  ${l}`),
    '',
    formatResult(report.sample.result, 'table').trimEnd(),
    '',
    `done in ${report.wallSeconds.toFixed(1)} s`,
    '',
  ];
  return lines.join('\n');
}
