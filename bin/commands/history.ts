import { InvalidArgumentError, Option, type Command } from 'commander';
import * as opt from '../../lib/app/cli-options';
import {
  DEFAULT_HISTORY_CONCURRENCY,
  HISTORY_EXCHANGES,
  historyRequestProblem,
  historyTmpDir,
  runHistory,
  type HistoryExchange,
} from '../../lib/app/history';
import { parseArchiveDataset, type ArchiveDatasetRequest } from '../../lib/exchanges/binance/archive-layout';
import { openLakeForWriting } from '../../lib/storage/open-store';
import { EXIT, UserError } from '../../lib/util/errors';
import { endProgress, stderrProgress } from '../../lib/util/progress';
import { json, type CliRun } from './output';

/** `lakehouse history`: Binance's public archive into Bronze (docs/history.md). */

const datasetList = (value: string): ArchiveDatasetRequest[] => {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected datasets, e.g. klines:1m,trades');
  try {
    return names.map(parseArchiveDataset);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

interface HistoryFlags {
  exchange: HistoryExchange;
  symbols: string[];
  datasets: ArchiveDatasetRequest[];
  from: string;
  to: string;
  baseUrl?: string;
  concurrency: number;
  lake: string;
}

export function addHistoryCommand(program: Command, run: CliRun): void {
  program
    .command('history')
    .description("download, verify and import Binance's public data archive (data.binance.vision) into Bronze")
    .addOption(
      new Option('--exchange <id>', 'binance (spot) or binance-futures (USD-M)').choices(HISTORY_EXCHANGES).makeOptionMandatory(),
    )
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTCUSDT,ETHUSDT', opt.symbolList)
    .requiredOption(
      '--datasets <list>',
      'comma-separated: klines:<interval>, trades, aggTrades; USD-M also fundingRate, metrics, bookDepth, bookTicker',
      datasetList,
    )
    .requiredOption('--from <date>', 'first UTC day (YYYY-MM-DD)', opt.date)
    .requiredOption('--to <date>', 'last UTC day (YYYY-MM-DD)', opt.date)
    .option(
      '--base-url <url>',
      'archive base URL (default https://data.binance.vision; the simulator archive for tests)',
      opt.httpUrl,
    )
    .option('--concurrency <n>', 'files downloaded and imported at once', opt.positiveInt, DEFAULT_HISTORY_CONCURRENCY)
    .addOption(opt.lakeOption())
    .action(async (flags: HistoryFlags) => {
      const problem = historyRequestProblem(flags.exchange, flags.datasets);
      if (problem) throw new UserError(problem);
      if (flags.from > flags.to) throw new UserError(`--from ${flags.from} is after --to ${flags.to}`);
      const store = openLakeForWriting(flags.lake, { create: true, writes: ['bronze', 'quarantine'] });
      const summary = await runHistory({
        store,
        exchange: flags.exchange,
        symbols: flags.symbols,
        datasets: flags.datasets,
        from: flags.from,
        to: flags.to,
        baseUrl: flags.baseUrl,
        concurrency: flags.concurrency,
        tmpDir: historyTmpDir(store),
        progress: stderrProgress(),
      });
      endProgress();
      json(summary);
      for (const failed of summary.failed) process.stderr.write(`lakehouse: history: failed ${failed.path}: ${failed.reason}\n`);
      if (summary.failed.length > 0) run.exitCode = EXIT.LAKE_PROBLEM;
    });
}
