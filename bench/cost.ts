import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { estimate, estimateMarkdown } from './cost/estimate';
import { measureDay } from './cost/measure-day';

/**
 * `npm run cost [-- --hours N --symbol S --trades-per-minute T]`: measures a simulated day (default 24 h of one
 * liquid symbol) through the real pipeline and prints the monthly AWS cost estimate of docs/cost.md.
 */
async function main(): Promise<void> {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const hours = Number(arg('hours', '24'));
  const tradesPerMinute = Number(arg('trades-per-minute', '1000'));
  const symbol = arg('symbol', 'BTCUSDT').toUpperCase();
  if (!(hours > 0 && hours <= 24) || !(tradesPerMinute > 0))
    throw new Error('--hours must be in (0, 24] and --trades-per-minute positive');
  const lake = mkdtempSync(path.join(os.tmpdir(), 'lakehouse-cost-'));
  try {
    const m = await measureDay({ lake, symbol, hours, tradesPerMinute, progress: (msg) => process.stderr.write(`${msg}\n`) });
    process.stdout.write(estimateMarkdown(m, estimate(m)));
  } finally {
    rmSync(lake, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`cost: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
