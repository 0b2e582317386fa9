import type { Command } from 'commander';
import * as opt from '../../lib/app/cli-options';
import { collectPaths, runCollect } from '../../lib/app/collect';
import { runDemo } from '../../lib/app/demo';
import { demoReportText } from '../../lib/app/demo-report';
import { StopRequests } from '../../lib/collector/stop-request';
import { SOURCES, type SourceId } from '../../lib/exchanges/registry';
import { importArchive, type ImportResult } from '../../lib/history/import-archive';
import { importArchiveDataset, type ArchiveImportDataset } from '../../lib/history/import-archive-dataset';
import { importMapped, type MappedImportResult } from '../../lib/history/mapped-import';
import { EXCHANGES, type ExchangeId } from '../../lib/schema/columns';
import { openLakeForCollecting, openLakeForWriting } from '../../lib/storage/open-store';
import { UserError } from '../../lib/util/errors';
import { logger } from '../../lib/util/log';
import { endProgress, stderrProgress } from '../../lib/util/progress';
import { json, print, type CliRun } from './output';

/** The commands that bring market data into the lake's Bronze: `demo`, `collect` and `import`. */

/** The flags commander parsed (with the parsers of lib/app/cli-options.ts), one interface per command. */
interface DemoFlags {
  lake: string;
  symbols: string[];
  minutes: number;
}

interface CollectFlags {
  source: SourceId;
  symbols: string[];
  duration?: number;
  endpoint?: string;
  restEndpoint?: string;
  spool?: string;
  simHours?: number;
  simStart?: string;
  /** `--faults` alone is `true`, `--faults 7` is '7'. */
  faults?: string | true;
  lake: string;
}

interface ImportFlags {
  file: string;
  /** Required unless --mapping gives it (checked in the action: commander cannot make one flag stand for another). */
  dataset?: string;
  exchange?: ExchangeId;
  symbol?: string;
  interval?: string;
  mapping?: string;
  lake: string;
}

export function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('simulator → collector → Bronze → Silver → Gold in a local lake, then a report and a sample query')
    .addOption(opt.lakeOption())
    .option('--symbols <list>', 'comma-separated symbols', opt.symbolList, ['BTCUSDT', 'ETHUSDT'])
    .option('--minutes <n>', 'simulated minutes collected live over WebSocket', opt.positiveInt, 180)
    .action(async (flags: DemoFlags) => {
      if (flags.lake.startsWith('s3://')) throw new UserError('demo builds a local lake folder, not an s3:// lake');
      openLakeForWriting(flags.lake, { create: true, writes: ['bronze', 'silver', 'gold', 'quarantine', 'reports'] });
      const report = await runDemo({
        lake: flags.lake,
        symbols: flags.symbols,
        minutes: flags.minutes,
        progress: stderrProgress(),
      });
      endProgress();
      print(demoReportText(report));
    });
}

export function addCollectCommand(program: Command, run: CliRun): void {
  program
    .command('collect')
    .description(
      'collect live market data into Bronze until --duration ends or Ctrl-C / SIGTERM (then flush); ' +
        'exit 5 when rows could not be written',
    )
    .requiredOption('--source <id>', `one of ${SOURCES.join(', ')}`, opt.source)
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTCUSDT,ETHUSDT', opt.symbolList)
    .option('--duration <sec>', 'stop after this many seconds', opt.positiveInt)
    .option(
      '--endpoint <url>',
      "override the exchange's WebSocket base URL (tests, proxies, replays); REST then goes to its host too",
      opt.wsUrl,
    )
    .option('--rest-endpoint <url>', "override the exchange's REST base URL (open-interest polls)", opt.httpUrl)
    .option(
      '--spool <dir>',
      'local folder where Bronze waits while the lake cannot be written (default: beside the lake, <lake>.spool)',
      opt.path('a spool folder'),
    )
    .option(
      '--sim-hours <n>',
      'with --source sim: collect this many simulated hours at full speed, then audit every trade id',
      opt.positiveInt,
    )
    .option('--sim-start <date>', 'with --source sim: simulated start (YYYY-MM-DD, UTC)', opt.date)
    .option(
      '--faults [seed]',
      'with --source sim: inject a reproducible storm of faults (drops, serverShutdown, 24 h cuts, stalls, ' +
        'duplicates, reordering, malformed frames)',
    )
    .addOption(opt.lakeOption())
    .action(async (flags: CollectFlags) => {
      if ((flags.simHours || flags.simStart || flags.faults) && flags.source !== 'sim') {
        throw new UserError('--sim-hours, --sim-start and --faults need --source sim');
      }
      const faultSeed = flags.faults === undefined ? undefined : flags.faults === true ? 1 : Number(flags.faults);
      if (faultSeed !== undefined && !Number.isInteger(faultSeed)) {
        throw new UserError(`--faults seed must be an integer, got '${flags.faults}'`);
      }
      const paths = collectPaths(flags.lake, flags.spool);
      const store = openLakeForCollecting(flags.lake);
      const stop = new StopRequests({
        log: logger('collect'),
        onRepeat: (request, first) =>
          process.stderr.write(
            `collect: ${request.reason} again: still writing what was received (stopping since ${first.reason}); please wait\n`,
          ),
      });
      const result = await runCollect({
        source: flags.source,
        symbols: flags.symbols,
        store,
        lake: flags.lake,
        paths,
        durationSec: flags.duration,
        endpoint: flags.endpoint,
        restEndpoint: flags.restEndpoint,
        simHours: flags.simHours,
        faultSeed,
        simStart: flags.simStart === undefined ? undefined : Date.parse(`${flags.simStart}T00:00:00Z`),
        progress: stderrProgress(),
        stop,
      });
      endProgress();
      process.stderr.write(`${result.summary}\n`);
      const { streams: _streams, ...summary } = result.collector;
      json({ ...summary, stop: result.stop, faults: result.faults, audit: result.audit });
      run.exitCode = result.exitCode;
    });
}

export function addImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'import an exchange archive file (CSV or ZIP) into Bronze: klines of any source, or a data.binance.vision file ' +
        'of another dataset named as the archive names it; with --mapping, any CSV or Parquet file of klines or trades',
    )
    .requiredOption(
      '--file <path>',
      'archive file (.csv or .zip), e.g. LINKUSDT-1m-2023-02.csv or BTCUSDT-metrics-2024-02-01.zip',
      opt.path('an archive file'),
    )
    .option('--dataset <name>', `${opt.IMPORT_DATASET_NAMES.join('|')} (required unless --mapping)`, opt.importDataset)
    .option(
      '--exchange <id>',
      `one of ${EXCHANGES.join(', ')} (not klines: binance = spot, binance-futures = futures/um); required unless the mapping names it`,
      opt.exchange,
    )
    .option('--symbol <sym>', 'symbol (default: from the file name, or the mapping)', opt.symbol)
    .option('--interval <tf>', 'kline interval (default: from the file name)', opt.klineInterval)
    .option(
      '--mapping <file>',
      'a JSON column mapping (docs/history.md, "Mapped import"): any CSV or Parquet file of klines or trades',
      opt.path('a mapping file'),
    )
    .addOption(opt.lakeOption())
    .action(async (flags: ImportFlags) => {
      if (flags.mapping !== undefined) {
        for (const flag of ['dataset', 'interval'] as const) {
          if (flags[flag] !== undefined)
            throw new UserError(`--${flag} comes from the mapping file with --mapping; leave it out`);
        }
        const store = openLakeForWriting(flags.lake, { create: true, writes: ['bronze', 'quarantine'] });
        const progress = stderrProgress();
        const imported = await importMapped({
          store,
          file: flags.file,
          mapping: flags.mapping,
          exchange: flags.exchange,
          symbol: flags.symbol,
          onProgress: (rows) => progress(`import: ${rows.toLocaleString('en-US')} rows`),
        });
        endProgress();
        json(imported);
        reportImport(imported);
        return;
      }
      const required = (flag: string, value: string | undefined): string => {
        if (value === undefined) throw new UserError(`required option '${flag}' not specified (see lakehouse import --help)`);
        return value;
      };
      const datasetName = required('--dataset <name>', flags.dataset);
      const exchange = required('--exchange <id>', flags.exchange) as ExchangeId;
      if (datasetName !== 'klines') {
        if (flags.interval !== undefined) throw new UserError(`--interval is for klines; ${datasetName} files have none`);
        const store = openLakeForWriting(flags.lake, { create: true, writes: ['bronze', 'quarantine'] });
        const imported = await importArchiveDataset({
          store,
          file: flags.file,
          dataset: datasetName as ArchiveImportDataset,
          exchange,
          symbol: flags.symbol,
        });
        json(imported);
        if (imported.rejected > 0) {
          process.stderr.write(
            `lakehouse: import: ${imported.rejected} rejected rows quarantined in ` +
              `${imported.bronze.map((name) => `quarantine/${name}/`).join(', ')}\n`,
          );
        }
        return;
      }
      const store = openLakeForWriting(flags.lake, { create: true, writes: ['bronze', 'quarantine'] });
      const progress = stderrProgress();
      const imported = await importArchive({
        store,
        file: flags.file,
        dataset: datasetName,
        exchange,
        symbol: flags.symbol,
        interval: flags.interval,
        onProgress: (rows) => progress(`import: ${rows.toLocaleString('en-US')} rows`),
      });
      endProgress();
      json(imported);
      reportImport(imported);
    });
}

/** The stderr lines of a kline or mapped import: what was quarantined, and that nothing was new. */
function reportImport(imported: ImportResult | MappedImportResult): void {
  if (imported.rejected > 0) {
    const reasons = Object.entries(imported.rejectedByReason)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, rows]) => `${rows} × ${reason}`)
      .join('; ');
    process.stderr.write(
      `lakehouse: import: ${imported.rejected} of ${imported.records} rows quarantined (${reasons}) in ${imported.quarantineKey}\n`,
    );
  }
  if (imported.files === 0 && imported.existing > 0) {
    const files = `${imported.existing} Bronze file${imported.existing === 1 ? '' : 's'}`;
    process.stderr.write(`lakehouse: import: nothing new: the ${files} of this file are already in the lake (imported before)\n`);
  }
}
