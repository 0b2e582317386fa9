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
  const oneLine = (help: string) => (msg: string, write: (s: string) => void) =>
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
    .action(async (o) => {
      if (o.lake.startsWith('s3://')) throw new UserError('demo builds a local lake folder, not an s3:// lake');
      openLakeForWriting(o.lake, { create: true, writes: WRITES.demo });
      const report = await runDemo({ lake: o.lake, symbols: o.symbols, minutes: o.minutes, progress: stderrProgress() });
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
    .action(async (o) => {
      if ((o.simHours || o.simStart || o.faults) && o.source !== 'sim') {
        throw new UserError('--sim-hours, --sim-start and --faults need --source sim');
      }
      const faultSeed = o.faults === undefined ? undefined : o.faults === true ? 1 : Number(o.faults);
      if (faultSeed !== undefined && !Number.isInteger(faultSeed)) {
        throw new UserError(`--faults seed must be an integer, got '${o.faults}'`);
      }
      const paths = collectPaths(o.lake, o.spool);
      const store = openLakeForCollecting(o.lake);
      const stop = new StopRequests({
        log: logger('collect'),
        onRepeat: (r, first) => process.stderr.write(
          `collect: ${r.reason} again: still writing what was received (stopping since ${first.reason}); please wait\n`),
      });
      const result = await runCollect({
        source: o.source, symbols: o.symbols, store, lake: o.lake, paths, durationSec: o.duration,
        endpoint: o.endpoint, restEndpoint: o.restEndpoint, simHours: o.simHours, faultSeed,
        simStart: o.simStart === undefined ? undefined : Date.parse(`${o.simStart}T00:00:00Z`), progress: stderrProgress(), stop,
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
    .action(async (o) => {
      const store = openLakeForWriting(o.lake, { create: true, writes: WRITES.import });
      const progress = stderrProgress();
      const r = await importArchive({ store, file: o.file, dataset: o.dataset, exchange: o.exchange, symbol: o.symbol, interval: o.interval,
        onProgress: (n) => progress(`import: ${n.toLocaleString('en-US')} rows`) });
      endProgress();
      json(r);
      if (r.rejected > 0) {
        const reasons = Object.entries(r.rejectedByReason).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ');
        process.stderr.write(`lakehouse: import: ${r.rejected} of ${r.records} rows quarantined (${reasons}) in ${r.quarantineKey}\n`);
      }
      if (r.files === 0 && r.existing > 0) {
        process.stderr.write(`lakehouse: import: nothing new: the ${r.existing} Bronze file${r.existing === 1 ? '' : 's'} of this archive `
          + 'are already in the lake (imported before)\n');
      }
    });

  program.command('silver')
    .description('rebuild the Silver partitions of a date from Bronze')
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (o) => {
      const store = openLakeForWriting(o.lake, { create: false, writes: WRITES.silver });
      await requireBuildInput(store, 'silver', { from: o.date, to: o.date, exchange: o.exchange, symbol: o.symbol });
      const problems = new BuildProblems(warn);
      const { built: r, failures } = await settle(runSilver({
        store, dt: o.date, exchange: o.exchange, symbol: o.symbol, onProgress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      json(r.map(({ exchange: ex, symbol, dt, report }) => ({
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
    .action(async (o) => {
      let unreadable = 0;
      const filter = { exchange: o.exchange, symbol: o.symbol };
      const checked = await validateDate(openLakeForReading(o.lake), o.date, filter, (key, reason) => {
        unreadable++;
        warn(`skipped ${key}: ${reason}`);
      });
      if (o.format === 'json') json(checked.map((v) => ({ ...v.report, badFiles: v.badFiles })));
      else print(checked.map(validatedMarkdown).join('\n'));
      if (unreadable || checked.some((v) => v.report.verdict === 'FAIL' || v.badFiles.length)) run.exitCode = EXIT.LAKE_PROBLEM;
    });

  program.command('gold')
    .description('rebuild the Gold partitions of a date from Silver')
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (o) => {
      const store = openLakeForWriting(o.lake, { create: false, writes: WRITES.gold });
      await requireBuildInput(store, 'gold', { from: o.date, to: o.date, exchange: o.exchange, symbol: o.symbol });
      const problems = new BuildProblems(warn);
      const { built: r, failures } = await settle(runGold({
        store, dt: o.date, exchange: o.exchange, symbol: o.symbol, onProgress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      // The full per-feature null counts are in reports/gold/; the terminal gets the totals and any problem features.
      json(r.map(({ files: _files, validity: { byFeature, ...totals }, ...rest }) => ({
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
    .action(async (o) => {
      if (o.from > o.to) throw new UserError(`--from ${o.from} is after --to ${o.to}`);
      const store = openLakeForWriting(o.lake, { create: false, writes: WRITES.run });
      await requireBuildInput(store, 'silver', { from: o.from, to: o.to, exchange: o.exchange, symbol: o.symbol });
      const problems = new BuildProblems(warn);
      const { built: r, failures } = await settle(runRange({
        store, from: o.from, to: o.to, exchange: o.exchange, symbol: o.symbol, progress: stderrProgress(), onSkip: problems.onSkip,
      }));
      endProgress();
      json({
        silver: r.silver.map(({ exchange: ex, symbol, dt, report }) => ({
          exchange: ex, symbol, dt, verdict: report.verdict, rows: report.klines_1m.kept, completeness: report.klines_1m.completeness,
        })),
        gold: r.gold.map(({ exchange: ex, symbol, dt, rows, dataOkRows, validity }) => ({
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
    .action(async (o) => {
      const h = await computeHealth(openLakeForReading(o.lake), Date.now(), { staleAfterSeconds: o.staleAfter });
      print(o.format === 'json' ? JSON.stringify(h, null, 2) : healthMarkdown(h));
      if (!h.ok) run.exitCode = EXIT.LAKE_PROBLEM;
    });

  program.command('query')
    .description('run SQL with DuckDB over the lake; views are named {layer}_{dataset} like the Glue tables')
    .argument('<sql>', 'SQL, e.g. "select count(*) from silver_klines"', opt.sql)
    .addOption(new Option('--format <fmt>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(opt.lakeOption())
    .action(async (sql: string, o) => {
      if (o.lake.startsWith('s3://')) throw new UserError('query runs on a local lake folder; use Athena for s3:// lakes');
      checkLakeForReading(o.lake);
      const engine = await LakeQueryEngine.open(o.lake, { onBadFile: (b) => warn(`skipped ${badFileLine(b)}`) });
      const answer = await engine.query(sql).catch((e: Error) => e).finally(() => engine.close());
      if (answer instanceof Error) throw new UserError(`query failed: ${answer.message.split('\n')[0]}`);
      process.stdout.write(formatResult(answer, o.format as OutputFormat));
    });

  // A mistake in a command's flags points at that command's help.
  for (const c of program.commands) c.configureOutput({ outputError: oneLine(`lakehouse ${c.name()} --help`) });
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
  } catch (e) {
    endProgress();
    if (e instanceof CommanderError) {
      // Commander already printed its one-line message (or the help, exit code 0).
      run.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return run.exitCode;
    }
    const failure = failureReport(e);
    process.stderr.write(`lakehouse: ${failure.line}\n`);
    if (process.env.LAKEHOUSE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
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
