import type { DemoReport } from './demo';
import { formatResult } from './format';

/** The demo's report as text for the terminal. */
export function demoReportText(r: DemoReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const c = r.live.collector;
  const lines = [
    '',
    'crypto-lakehouse demo',
    '=====================',
    `lake:        ${r.lake}`,
    `symbols:     ${r.symbols.join(', ')} (simulated Binance spot)`,
    `days:        ${r.days.join(', ')}`,
    `REST backfill: ${n(r.backfilledRows)} 1m klines before the live window`,
    `live window: ${r.live.from} → ${r.live.to} over WebSocket in ${r.live.wallSeconds.toFixed(1)} s:`,
    `             ${n(c.messages)} messages, ${n(c.records)} rows, ${c.filesWritten} Bronze files, ${Object.values(c.errors).reduce((a, e) => a + e.count, 0)} parse errors`,
    '',
    'rows per layer',
    ...Object.entries(r.rowsPerLayer).map(([layer, rows]) => `  ${layer.padEnd(8)} ${n(rows).padStart(12)}`),
    '',
    'partitions (klines 1m completeness, Silver verdict, Gold rows / data_ok rows;',
    '  on the live day data_ok also needs the order book, which only the live window has)',
    ...r.partitions.map((p) => `  ${p.dt} ${p.symbol.padEnd(9)} ${(p.completeness * 100).toFixed(2).padStart(6)} %  ${p.verdict.padEnd(11)} ${n(p.goldRows)} / ${n(p.dataOkRows)}`),
    '',
    'sample query (lakehouse query "..." --lake ' + r.lake + ')',
    ...r.sample.sql.split('\n').map((l) => `  ${l}`),
    '',
    formatResult(r.sample.result, 'table').trimEnd(),
    '',
    `done in ${r.wallSeconds.toFixed(1)} s`,
    '',
  ];
  return lines.join('\n');
}
