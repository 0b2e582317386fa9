import { Command, CommanderError, Option } from 'commander';
import * as opt from '../lib/app/cli-options';
import { requireBuildInput } from '../lib/app/build-input';
import { BuildProblems } from '../lib/app/build-problems';
import { collectPaths, runCollect } from '../lib/app/collect';
import { runDemo } from '../lib/app/demo';
import { demoReportText } from '../lib/app/demo-report';
import { formatResult, type OutputFormat } from '../lib/app/format';
import { BRONZE_STALE_AFTER_SECONDS, computeHealth, healthMarkdown } from '../lib/app/health';
import { runRange } from '../lib/app/run-range';
import { SOURCES } from '../lib/exchanges/registry';
import { validateDate, validatedMarkdown } from '../lib/app/validate';
import { StopRequests } from '../lib/collector/stop-request';
import { featureCatalogueMarkdown } from '../lib/gold/catalogue-markdown';
import { runGold } from '../lib/gold/gold-job';
import { IMPORT_DATASETS, importArchive } from '../lib/history/import-archive';
import { badFileLine } from '../lib/lake/bad-files';
import { settle } from '../lib/lake/build-issues';
import { LakeQueryEngine } from '../lib/local/duckdb-lake';
import { EXCHANGES } from '../lib/schema/columns';
import { runSilver } from '../lib/silver/silver-job';
import { checkLakeForReading, openLakeForCollecting, openLakeForReading, openLakeForWriting } from '../lib/storage/open-store';
import { EXIT, failureReport, UserError } from '../lib/util/errors';
import { logger } from '../lib/util/log';
import { endProgress, stderrProgress } from '../lib/util/progress';
import { endQuietlyWhenOutputCloses } from '../lib/util/stdio';

/**
 * The `lakehouse` CLI (README.md, "The `lakehouse` CLI"): parses flags, calls the core, prints results on stdout and
 * progress on stderr. `runLakehouse` runs one command line and returns its exit code, so tests run it in-process;
 * `lakehouseMain` is the process (bin/lakehouse.js).
 */

/** What a command run has to say about how it ended: the actions set a code other than 0 here. */
export interface CliRun {
  exitCode: number;
}

const print = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const json = (v: unknown) => print(JSON.stringify(v, null, 2));
const warn = (line: string) => process.stderr.write(`lakehouse: warning: ${line}\n`);

/** Top-level lake folders each writing command writes to: a read-only one is refused before any work. */
const WRITES = {
  import: ['bronze', 'quarantine'],
  silver: ['silver', 'quarantine', 'reports'],
  gold: ['gold', 'reports'],
  run: ['silver', 'gold', 'quarantine', 'reports'],
  demo: ['bronze', 'silver', 'gold', 'quarantine', 'reports'],
} as const;

/** A fresh program per run: commander keeps parsed values on its commands. */
export function lakehouseProgram(run: CliRun): Command {
  /** The end of a build: what it skipped or could not build, one line each on stderr, and exit code 3. */
  const reportProblems = (lines: readonly string[]) => {
    if (!lines.length) return;
    process.stderr.write(`lakehouse: ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}\n`).join('')}`);
    run.exitCode = EXIT.LAKE_PROBLEM;
  };
  const oneLine = (help: string) => (msg: string, write: (line: string) => void) =>
    write(`lakehouse: ${msg.replace(/^error: /, '').trimEnd()} (see ${help})\n`);

  const program = new Command('lakehouse')
    .description('crypto-lakehouse: collect exchange data into Bronze, clean it into Silver, compute Gold features')
    .exitOverride()
    .configureOutput({ outputError: oneLine('lakehouse --help') });

  program.command('demo')
    .description('simulator → collector → Bronze → Silver → Gold in a local lake, then a report and a sample query')
    .addOption(opt.lakeOption())
    .option('--symbols <list>', 'comma-separated symbols', opt.symbolList, ['BTCUSDT', 'ETHUSDT'])
    .option('--minutes <n>', 'simulated minutes collected live over WebSocket', opt.positiveInt, 180)
    .action(async (options) => {
      if (options.lake.startsWith('s3://')) throw new UserError('demo builds a local lake folder, not an s3:// lake');
      openLakeForWriting(options.lake, { create: true, writes: WRITES.demo });
      const report = await runDemo({ lake: options.lake, symbols: options.symbols, minutes: options.minutes, progress: stderrProgress() });
      endProgress();
      print(demoReportText(report));
    });

  program.command('collect')
    .description('collect live market data into Bronze until --duration ends or Ctrl-C / SIGTERM (then flush); '
      + 'exit 5 when rows could not be written')
    .requiredOption('--source <id>', `one of ${SOURCES.join(', ')}`, opt.source)
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTCUSDT,ETHUSDT', opt.symbolList)
    .option('--duration <sec>', 'stop after this many seconds', opt.positiveInt)
    .option('--endpoint <url>', "override the exchange's WebSocket base URL (tests, proxies, replays); REST then goes to its host too",
      opt.wsUrl)
    .option('--rest-endpoint <url>', "override the exchange's REST base URL (open-interest polls)", opt.httpUrl)
    .option('--spool <dir>', 'local folder where Bronze waits while the lake cannot be written (default: beside the lake, <lake>.spool)',
      opt.path('a spool folder'))
    .option('--sim-hours <n>', 'with --source sim: collect this many simulated hours at full speed, then audit every trade id',
      opt.positiveInt)
    .option('--sim-start <date>', 'with --source sim: simulated start (YYYY-MM-DD, UTC)', opt.date)
    .option('--faults [seed]', 'with --source sim: inject a reproducible storm of faults (drops, serverShutdown, 24 h cuts, stalls, '
      + 'duplicates, reordering, malformed frames)')
    .addOption(opt.lakeOption())
    .action(async (options) => {
      if ((options.simHours || options.simStart || options.faults) && options.source !== 'sim') {
        throw new UserError('--sim-hours, --sim-start and --faults need --source sim');
      }
      const faultSeed = options.faults === undefined ? undefined : options.faults === true ? 1 : Number(options.faults);
      if (faultSeed !== undefined && !Number.isInteger(faultSeed)) {
        throw new UserError(`--faults seed must be an integer, got '${options.faults}'`);
      }
      const paths = collectPaths(options.lake, options.spool);
      const store = openLakeForCollecting(options.lake);
      const stop = new StopRequests({
        log: logger('collect'),
        onRepeat: (r, first) => process.stderr.write(
          `collect: ${r.reason} again: still writing what was received (stopping since ${first.reason}); please wait\n`),
      });
      const result = await runCollect({
        source: options.source, symbols: options.symbols, store, lake: options.lake, paths, durationSec: options.duration,
        endpoint: options.endpoint, restEndpoint: options.restEndpoint, simHours: options.simHours, faultSeed,
        simStart: options.simStart === undefined ? undefined : Date.parse(`${options.simStart}T00:00:00Z`), progress: stderrProgress(), stop,
      });
      endProgress();
      process.stderr.write(`${result.summary}\n`);
      const { streams: _streams, ...summary } = result.collector;
      json({ ...summary, stop: result.stop, faults: result.faults, audit: result.audit });
      run.exitCode = result.exitCode;
    });

  program.command('import')
    .description('import an exchange archive file (CSV or ZIP) into Bronze')
    .requiredOption('--file <path>', 'archive file (.csv or .zip), e.g. LINKUSDT-1m-2023-02.csv', opt.path('an archive file'))
    .requiredOption('--dataset <name>', `${IMPORT_DATASETS.join('|')} (more of the published datasets to come)`, opt.importDataset)
    .requiredOption('--exchange <id>', `one of ${EXCHANGES.join(', ')}`, opt.exchange)
    .option('--symbol <sym>', 'symbol (default: from the file name)', opt.symbol)
    .option('--interval <tf>', 'kline interval (default: from the file name)', opt.klineInterval)
    .addOption(opt.lakeOption())
    .action(async (options) => {
      const store = openLakeForWriting(options.lake, { create: true, writes: WRITES.import });
      const progress = stderrProgress();
      const result = await importArchive({ store, file: options.file, dataset: options.dataset, exchange: options.exchange, symbol: options.symbol, interval: options.interval,
        onProgress: (n) => progress(`import: ${n.toLocaleString('en-US')} rows`) });
      endProgress();
      json(result);
      if (result.rejected > 0) {
        const reasons = Object.entries(result.rejectedByReason).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ');
        process.stderr.write(`lakehouse: import: ${result.rejected} of ${result.records} rows quarantined (${reasons}) in ${result.quarantineKey}\n`);
      }
      if (result.files === 0 && result.existing > 0) {
        process.stderr.write(`lakehouse: import: nothing new: the ${result.existing} Bronze file${result.existing === 1 ? '' : 's'} of this archive `
          + 'are already in the lake (imported before)\n');
      }
    });

  program.command('silver')
    .description('rebuild the Silver partitions of a date from Bronze')
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (options) => {
      const store = openLakeForWriting(options.lake, { create: false, writes: WRITES.silver });
      await requireBuildInput(store, 'silver', { from: options.date, to: options.date, exchange: options.exchange, symbol: options.symbol });
      const problems = new BuildProblems(warn);
      const { built, failures } = await settle(runSilver({
        store, dt: options.date, exchange: options.exchange, symbol: options.symbol, onProgress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      json(built.map(({ exchange: ex, symbol, dt, report }) => ({
        exchange: ex, symbol, dt, verdict: report.verdict, reasons: report.reasons, rows: report.klines_1m.kept,
        completeness: report.klines_1m.completeness,
      })));
      reportProblems(problems.list(failures));
    });

  program.command('validate')
    .description("print Silver's quality reports for a date with their partitions' bad files (exit 3 when one FAILs or has bad files)")
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(opt.lakeOption())
    .action(async (options) => {
      let unreadable = 0;
      const filter = { exchange: options.exchange, symbol: options.symbol };
      const checked = await validateDate(openLakeForReading(options.lake), options.date, filter, (key, reason) => {
        unreadable++;
        warn(`skipped ${key}: ${reason}`);
      });
      if (options.format === 'json') json(checked.map((v) => ({ ...v.report, badFiles: v.badFiles })));
      else print(checked.map(validatedMarkdown).join('\n'));
      if (unreadable || checked.some((v) => v.report.verdict === 'FAIL' || v.badFiles.length)) run.exitCode = EXIT.LAKE_PROBLEM;
    });

  program.command('gold')
    .description('rebuild the Gold partitions of a date from Silver')
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (options) => {
      const store = openLakeForWriting(options.lake, { create: false, writes: WRITES.gold });
      await requireBuildInput(store, 'gold', { from: options.date, to: options.date, exchange: options.exchange, symbol: options.symbol });
      const problems = new BuildProblems(warn);
      const { built, failures } = await settle(runGold({
        store, dt: options.date, exchange: options.exchange, symbol: options.symbol, onProgress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      // The full per-feature null counts are in reports/gold/; the terminal gets the totals and any problem features.
      json(built.map(({ files: _files, validity: { byFeature, ...totals }, ...rest }) => ({
        ...rest,
        validity: {
          ...totals, problemFeatures: Object.keys(byFeature).filter((f) => byFeature[f].invalid || byFeature[f].unexpectedNulls),
        },
      })));
      reportProblems(problems.list(failures));
    });

  program.command('features')
    .description('print the Gold feature catalogue as Markdown (docs/features.md is this output)')
    .action(() => { print(featureCatalogueMarkdown()); });

  program.command('run')
    .description('Silver then Gold over a date range')
    .requiredOption('--from <YYYY-MM-DD>', 'first date', opt.date)
    .requiredOption('--to <YYYY-MM-DD>', 'last date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (options) => {
      if (options.from > options.to) throw new UserError(`--from ${options.from} is after --to ${options.to}`);
      const store = openLakeForWriting(options.lake, { create: false, writes: WRITES.run });
      await requireBuildInput(store, 'silver', { from: options.from, to: options.to, exchange: options.exchange, symbol: options.symbol });
      const problems = new BuildProblems(warn);
      const { built, failures } = await settle(runRange({
        store, from: options.from, to: options.to, exchange: options.exchange, symbol: options.symbol, progress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      json({
        silver: built.silver.map(({ exchange: ex, symbol, dt, report }) => ({
          exchange: ex, symbol, dt, verdict: report.verdict, rows: report.klines_1m.kept, completeness: report.klines_1m.completeness,
        })),
        gold: built.gold.map(({ exchange: ex, symbol, dt, rows, dataOkRows, validity }) => ({
          exchange: ex, symbol, dt, rows, dataOkRows, invalidFeatures: validity.invalid,
        })),
      });
      reportProblems(problems.list(failures));
    });

  program.command('health')
    .description('freshness of Bronze, completeness of the latest Silver, validity of the latest Gold')
    .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('--stale-after <sec>', 'Bronze older than this is stale', opt.positiveInt, BRONZE_STALE_AFTER_SECONDS)
    .addOption(opt.lakeOption())
    .action(async (options) => {
      const health = await computeHealth(openLakeForReading(options.lake), Date.now(), { staleAfterSeconds: options.staleAfter });
      print(options.format === 'json' ? JSON.stringify(health, null, 2) : healthMarkdown(health));
      if (!health.ok) run.exitCode = EXIT.LAKE_PROBLEM;
    });

  program.command('query')
    .description('run SQL with DuckDB over the lake; views are named {layer}_{dataset} like the Glue tables')
    .argument('<sql>', 'SQL, e.g. "select count(*) from silver_klines"', opt.sql)
    .addOption(new Option('--format <fmt>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(opt.lakeOption())
    .action(async (sql: string, options) => {
      if (options.lake.startsWith('s3://')) throw new UserError('query runs on a local lake folder; use Athena for s3:// lakes');
      checkLakeForReading(options.lake);
      const engine = await LakeQueryEngine.open(options.lake, { onBadFile: (b) => warn(`skipped ${badFileLine(b)}`) });
      const answer = await engine.query(sql).catch((e: Error) => e).finally(() => engine.close());
      if (answer instanceof Error) throw new UserError(`query failed: ${answer.message.split('\n')[0]}`);
      process.stdout.write(formatResult(answer, options.format as OutputFormat));
    });

  // A mistake in a command's flags points at that command's help.
  for (const command of program.commands) command.configureOutput({ outputError: oneLine(`lakehouse ${command.name()} --help`) });
  return program;
}

/**
 * Runs one `lakehouse` command line (the arguments after `lakehouse`) and returns its exit code (README.md, "The
 * `lakehouse` CLI", lists them): a mistake is one line on stderr, never a stack trace.
 */
export async function runLakehouse(args: readonly string[], run: CliRun = { exitCode: EXIT.OK }): Promise<number> {
  const program = lakehouseProgram(run);
  try {
    if (args.length === 0) {
      throw new UserError(`a command is needed: one of ${program.commands.map((c) => c.name()).join(', ')} (see lakehouse --help)`);
    }
    // Commander answers `help <unknown>` with the whole help on stderr; a mistake is one line.
    if (args[0] === 'help' && args[1] !== undefined && !program.commands.some((c) => c.name() === args[1])) {
      throw new UserError(`unknown command '${args[1]}' (see lakehouse --help)`);
    }
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    endProgress();
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help, exit code 0).
      run.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return run.exitCode;
    }
    const failure = failureReport(err);
    process.stderr.write(`lakehouse: ${failure.line}\n`);
    if (process.env.LAKEHOUSE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    run.exitCode = failure.exitCode;
  }
  return run.exitCode;
}

/** The `lakehouse` process: the command line, quiet closed pipes, the exit code. */
export function lakehouseMain(): void {
  const run: CliRun = { exitCode: EXIT.OK };
  endQuietlyWhenOutputCloses(() => run.exitCode);
  void runLakehouse(process.argv.slice(2), run).then((code) => {
    process.exitCode = code;
    // Everything is written or reported: a socket or timer a library left behind must not keep the process alive.
    setTimeout(() => process.exit(), 5_000).unref();
  });
}
