import type { Command } from 'commander';
import { backfillRange } from '../../lib/app/backfill';
import * as opt from '../../lib/app/cli-options';
import { backfillableExchanges, healTargetFor } from '../../lib/app/heal-targets';
import { EXCHANGES, type ExchangeId } from '../../lib/schema/columns';
import { openLakeForWriting } from '../../lib/storage/open-store';
import { EXIT, UserError } from '../../lib/util/errors';
import { endProgress, stderrProgress } from '../../lib/util/progress';
import { json, type CliRun } from './output';

/** `lakehouse backfill`: the self-heal's REST gap fill over any range (docs/silver.md, "Self-heal"). */

interface BackfillFlags {
  exchange: ExchangeId;
  symbol: string;
  from: number;
  to: number;
  restEndpoint?: string;
  lake: string;
}

export function addBackfillCommand(program: Command, run: CliRun): void {
  program
    .command('backfill')
    .description(
      "fill Bronze's gaps from the exchange's REST API over a range: 1m klines Bronze has no closed bar for, and " +
        'trade ids lost between known ones; WebSocket rows are never rewritten; exit 3 when a call failed',
    )
    .requiredOption(
      '--exchange <id>',
      `one of ${EXCHANGES.join(', ')} (REST klines: ${backfillableExchanges().join(', ')})`,
      opt.exchange,
    )
    .requiredOption('--symbol <sym>', 'symbol, e.g. BTCUSDT', opt.symbol)
    .requiredOption('--from <time>', 'first minute, UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MMZ', opt.isoTime)
    .requiredOption(
      '--to <time>',
      'end of the range (exclusive), UTC: YYYY-MM-DD (its midnight) or YYYY-MM-DDTHH:MMZ',
      opt.isoTime,
    )
    .option('--rest-endpoint <url>', "override the exchange's REST base URL (the simulator, a proxy)", opt.httpUrl)
    .addOption(opt.lakeOption())
    .action(async (flags: BackfillFlags) => {
      const target = healTargetFor(flags.exchange, [flags.symbol], flags.restEndpoint);
      if (flags.from >= flags.to) {
        throw new UserError(
          `--from ${new Date(flags.from).toISOString()} is not before --to ${new Date(flags.to).toISOString()}`,
        );
      }
      const store = openLakeForWriting(flags.lake, { create: true, writes: ['bronze'] });
      const progress = stderrProgress();
      const summary = await backfillRange({ store, target, symbol: flags.symbol, from: flags.from, to: flags.to, progress });
      endProgress();
      json(summary);
      if (summary.notFetched.minutes > 0 || summary.notFetched.tradeIds > 0) {
        process.stderr.write(
          `lakehouse: backfill: the exchange did not return ${summary.notFetched.minutes} minutes and ` +
            `${summary.notFetched.tradeIds} trade ids (listed under notFetched; a later run asks again)\n`,
        );
      }
      for (const error of summary.errors) process.stderr.write(`lakehouse: backfill: ${error}\n`);
      if (summary.errors.length > 0) run.exitCode = EXIT.LAKE_PROBLEM;
    });
}
