import { featureCatalogueMarkdown } from '../lib/gold/catalogue-markdown';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { collectPaths, runCollect } from '../lib/app/collect';
import { StopRequests } from '../lib/collector/stop-request';
import { logger } from '../lib/util/log';
import { runDemo } from '../lib/app/demo';
import { demoReportText } from '../lib/app/demo-report';
import { formatResult, type OutputFormat } from '../lib/app/format';
import { BRONZE_STALE_AFTER_SECONDS, computeHealth, healthMarkdown } from '../lib/app/health';
import { SOURCES, type SourceId } from '../lib/app/sources';
import { runRange } from '../lib/app/run-range';
import { runGold } from '../lib/gold/gold-job';
import { importArchive } from '../lib/history/import-archive';
import { ArchiveError } from '../lib/history/archive-source';
import { LakeQueryEngine } from '../lib/local/duckdb-lake';
import { badFileLine } from '../lib/lake/bad-files';
import { settle } from '../lib/lake/build-issues';
import { BuildProblems } from '../lib/app/build-problems';
import { EXCHANGES, type ExchangeId } from '../lib/schema/columns';
import { runSilver } from '../lib/silver/silver-job';
import { dayStart } from '../lib/storage/lake-paths';
import { openExistingStore, openStore } from '../lib/storage/open-store';
import { UserError } from '../lib/util/errors';
import { validateDate, validatedMarkdown } from '../lib/app/validate';
import { endProgress, stderrProgress } from '../lib/util/progress';

/** The `lakehouse` CLI (SPEC §8): parses flags, calls the core, prints results on stdout and progress on stderr. */

const date = (v: string): string => {
  try { dayStart(v); return v; } catch { throw new InvalidArgumentError('expected a date YYYY-MM-DD'); }
};
const exchange = (v: string): ExchangeId => {
  if (!(EXCHANGES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${EXCHANGES.join(', ')}`);
  return v as ExchangeId;
};
const lakeOption = () => new Option('--lake <dir>', 'lake folder (or s3://bucket/prefix)').default('./lake');
const print = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const json = (v: unknown) => print(JSON.stringify(v, null, 2));
const warn = (line: string) => process.stderr.write(`lakehouse: warning: ${line}\n`);
/** The end of a build: what it skipped or could not build, one line each on stderr, and exit code 3. */
const reportProblems = (lines: readonly string[]) => {
  if (!lines.length) return;
  process.stderr.write(`lakehouse: ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}\n`).join('')}`);
  process.exitCode = 3;
};

const program = new Command('lakehouse')
  .description('crypto-lakehouse: collect exchange data into Bronze, clean it into Silver, compute Gold features')
  .exitOverride()
  .configureOutput({ outputError: (msg, write) => write(`lakehouse: ${msg.replace(/^error: /, '').trimEnd()} (see lakehouse --help)\n`) });

const symbolList = (v: string): string[] => {
  const list = v.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
  if (!list.length) throw new InvalidArgumentError('expected a comma-separated list of symbols');
  return list;
};
const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const urlOf = (protocols: readonly string[]) => (v: string): string => {
  let u: URL;
  try { u = new URL(v); } catch { throw new InvalidArgumentError('expected a URL'); }
  if (!protocols.includes(u.protocol)) throw new InvalidArgumentError(`expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
  return v;
};
const wsUrl = urlOf(['ws:', 'wss:']);
const httpUrl = urlOf(['http:', 'https:']);

program.command('demo')
  .description('simulator → collector → Bronze → Silver → Gold in a local lake, then a report and a sample query')
  .addOption(lakeOption())
  .option('--symbols <list>', 'comma-separated symbols', symbolList, ['BTCUSDT', 'ETHUSDT'])
  .option('--minutes <n>', 'simulated minutes collected live over WebSocket', positiveInt, 180)
  .action(async (o) => {
    const report = await runDemo({ lake: o.lake, symbols: o.symbols, minutes: o.minutes, progress: stderrProgress() });
    endProgress();
    print(demoReportText(report));
  });

program.command('collect')
  .description('collect live market data into Bronze until --duration ends or Ctrl-C / SIGTERM (then flush); '
    + 'exit 5 when rows could not be written')
  .requiredOption('--source <id>', `one of ${SOURCES.join(', ')}`, (v: string) => {
    if (!(SOURCES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${SOURCES.join(', ')}`);
    return v as SourceId;
  })
  .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTCUSDT,ETHUSDT', symbolList)
  .option('--duration <sec>', 'stop after this many seconds', positiveInt)
  .option('--endpoint <url>', "override the exchange's WebSocket base URL (tests, proxies, replays); REST then goes to its host too", wsUrl)
  .option('--rest-endpoint <url>', "override the exchange's REST base URL (open-interest polls)", httpUrl)
  .option('--spool <dir>', 'local folder where Bronze waits while the lake cannot be written (default: beside the lake, <lake>.spool)')
  .option('--sim-hours <n>', 'with --source sim: collect this many simulated hours at full speed, then audit every trade id', positiveInt)
  .option('--sim-start <date>', 'with --source sim: simulated start (YYYY-MM-DD, UTC)', date)
  .option('--faults [seed]', 'with --source sim: inject a reproducible storm of faults (drops, serverShutdown, 24 h cuts, stalls, duplicates, reordering, malformed frames)')
  .addOption(lakeOption())
  .action(async (o) => {
    if ((o.simHours || o.simStart || o.faults) && o.source !== 'sim') throw new UserError('--sim-hours, --sim-start and --faults need --source sim');
    const faultSeed = o.faults === undefined ? undefined : o.faults === true ? 1 : Number(o.faults);
    if (faultSeed !== undefined && !Number.isInteger(faultSeed)) throw new UserError(`--faults seed must be an integer, got '${o.faults}'`);
    const paths = collectPaths(o.lake, o.spool);
    const stop = new StopRequests({
      log: logger('collect'),
      onRepeat: (r, first) => process.stderr.write(
        `collect: ${r.reason} again: still writing what was received (stopping since ${first.reason}); please wait\n`),
    });
    const result = await runCollect({
      source: o.source, symbols: o.symbols, store: openStore(o.lake), lake: o.lake, paths, durationSec: o.duration,
      endpoint: o.endpoint, restEndpoint: o.restEndpoint, simHours: o.simHours, faultSeed,
      simStart: o.simStart === undefined ? undefined : Date.parse(`${o.simStart}T00:00:00Z`), progress: stderrProgress(), stop,
    });
    endProgress();
    process.stderr.write(`${result.summary}\n`);
    const { streams: _streams, ...summary } = result.collector;
    json({ ...summary, stop: result.stop, faults: result.faults, audit: result.audit });
    process.exitCode = result.exitCode;
    // Everything is written or reported: a socket or timer left behind must not keep the process alive.
    setTimeout(() => process.exit(), 5_000).unref();
  });

program.command('import')
  .description('import an exchange archive file (CSV or ZIP) into Bronze')
  .requiredOption('--file <path>', 'archive file (.csv or .zip), e.g. LINKUSDT-1m-2023-02.csv')
  .requiredOption('--dataset <name>', 'klines|trades|aggtrades|funding|open_interest')
  .requiredOption('--exchange <id>', 'exchange id', exchange)
  .option('--symbol <sym>', 'symbol (default: from the file name)')
  .option('--interval <tf>', 'kline interval (default: from the file name)')
  .addOption(lakeOption())
  .action(async (o) => {
    const progress = stderrProgress();
    const r = await importArchive({ store: openStore(o.lake), file: o.file, dataset: o.dataset, exchange: o.exchange, symbol: o.symbol, interval: o.interval,
      onProgress: (n) => progress(`import: ${n.toLocaleString('en-US')} rows`) });
    endProgress();
    json(r);
    if (r.rejected > 0) {
      const reasons = Object.entries(r.rejectedByReason).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ');
      process.stderr.write(`lakehouse: import: ${r.rejected} of ${r.records} rows quarantined (${reasons}) in ${r.quarantineKey}\n`);
    }
  });

program.command('silver')
  .description('rebuild the Silver partitions of a date from Bronze')
  .requiredOption('--date <YYYY-MM-DD>', 'date', date)
  .option('--exchange <id>', 'only this exchange', exchange)
  .option('--symbol <sym>', 'only this symbol')
  .addOption(lakeOption())
  .action(async (o) => {
    const problems = new BuildProblems(warn);
    const { built: r, failures } = await settle(runSilver({
      store: openExistingStore(o.lake), dt: o.date, exchange: o.exchange, symbol: o.symbol?.toUpperCase(),
      onProgress: stderrProgress(), onSkip: problems.onSkip,
    }));
    endProgress();
    json(r.map(({ exchange: ex, symbol, dt, report }) => ({ exchange: ex, symbol, dt, verdict: report.verdict, reasons: report.reasons, rows: report.klines_1m.kept, completeness: report.klines_1m.completeness })));
    reportProblems(problems.list(failures));
  });

program.command('validate')
  .description("print Silver's quality reports for a date with their partitions' bad files (exit 3 when one FAILs or has bad files)")
  .requiredOption('--date <YYYY-MM-DD>', 'date', date)
  .option('--exchange <id>', 'only this exchange', exchange)
  .option('--symbol <sym>', 'only this symbol')
  .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
  .addOption(lakeOption())
  .action(async (o) => {
    let unreadable = 0;
    const filter = { exchange: o.exchange, symbol: o.symbol?.toUpperCase() };
    const checked = await validateDate(openExistingStore(o.lake), o.date, filter, (key, reason) => {
      unreadable++;
      warn(`skipped ${key}: ${reason}`);
    });
    if (o.format === 'json') json(checked.map((v) => ({ ...v.report, badFiles: v.badFiles })));
    else print(checked.map(validatedMarkdown).join('\n'));
    if (unreadable || checked.some((v) => v.report.verdict === 'FAIL' || v.badFiles.length)) process.exitCode = 3;
  });

program.command('gold')
  .description('rebuild the Gold partitions of a date from Silver')
  .requiredOption('--date <YYYY-MM-DD>', 'date', date)
  .option('--exchange <id>', 'only this exchange', exchange)
  .option('--symbol <sym>', 'only this symbol')
  .addOption(lakeOption())
  .action(async (o) => {
    const problems = new BuildProblems(warn);
    const { built: r, failures } = await settle(runGold({
      store: openExistingStore(o.lake), dt: o.date, exchange: o.exchange, symbol: o.symbol?.toUpperCase(),
      onProgress: stderrProgress(), onSkip: problems.onSkip,
    }));
    endProgress();
    // The full per-feature null counts are in reports/gold/; the terminal gets the totals and any problem features.
    json(r.map(({ files: _files, validity: { byFeature, ...totals }, ...rest }) => ({
      ...rest, validity: { ...totals, problemFeatures: Object.keys(byFeature).filter((f) => byFeature[f].invalid || byFeature[f].unexpectedNulls) },
    })));
    reportProblems(problems.list(failures));
  });

program.command('features')
  .description('print the Gold feature catalogue as Markdown (docs/features.md is this output)')
  .action(() => { print(featureCatalogueMarkdown()); });

program.command('run')
  .description('Silver then Gold over a date range')
  .requiredOption('--from <YYYY-MM-DD>', 'first date', date)
  .requiredOption('--to <YYYY-MM-DD>', 'last date', date)
  .option('--exchange <id>', 'only this exchange', exchange)
  .option('--symbol <sym>', 'only this symbol')
  .addOption(lakeOption())
  .action(async (o) => {
    if (o.from > o.to) throw new UserError(`--from ${o.from} is after --to ${o.to}`);
    const problems = new BuildProblems(warn);
    const { built: r, failures } = await settle(runRange({
      store: openExistingStore(o.lake), from: o.from, to: o.to, exchange: o.exchange, symbol: o.symbol?.toUpperCase(),
      progress: stderrProgress(), onSkip: problems.onSkip,
    }));
    endProgress();
    json({
      silver: r.silver.map(({ exchange: ex, symbol, dt, report }) => ({ exchange: ex, symbol, dt, verdict: report.verdict, rows: report.klines_1m.kept, completeness: report.klines_1m.completeness })),
      gold: r.gold.map(({ exchange: ex, symbol, dt, rows, dataOkRows, validity }) => ({ exchange: ex, symbol, dt, rows, dataOkRows, invalidFeatures: validity.invalid })),
    });
    reportProblems(problems.list(failures));
  });

program.command('health')
  .description('freshness of Bronze, completeness of the latest Silver, validity of the latest Gold')
  .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
  .option('--stale-after <sec>', 'Bronze older than this is stale', positiveInt, BRONZE_STALE_AFTER_SECONDS)
  .addOption(lakeOption())
  .action(async (o) => {
    const h = await computeHealth(openExistingStore(o.lake), Date.now(), { staleAfterSeconds: o.staleAfter });
    print(o.format === 'json' ? JSON.stringify(h, null, 2) : healthMarkdown(h));
    if (!h.ok) process.exitCode = 3;
  });

program.command('query')
  .description('run SQL with DuckDB over the lake; views are named {layer}_{dataset} like the Glue tables')
  .argument('<sql>', 'SQL, e.g. "select count(*) from silver_klines"')
  .addOption(new Option('--format <fmt>', 'output format').choices(['table', 'csv', 'json']).default('table'))
  .addOption(lakeOption())
  .action(async (sql: string, o) => {
    if (o.lake.startsWith('s3://')) throw new UserError('query runs on a local lake folder; use Athena for s3:// lakes');
    const engine = await LakeQueryEngine.open(o.lake, { onBadFile: (b) => warn(`skipped ${badFileLine(b)}`) });
    const answer = await engine.query(sql).catch((e: Error) => e).finally(() => engine.close());
    if (answer instanceof Error) throw new UserError(`query failed: ${answer.message.split('\n')[0]}`);
    process.stdout.write(formatResult(answer, o.format as OutputFormat));
  });

/**
 * Exit codes: 0 success, 2 a usage or input mistake (one line on stderr), 1 an unexpected failure, 3 the lake has a
 * problem the output names (a build skipped a file or a partition failed, health is not OK, validate found one).
 */
async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    endProgress();
    if (e instanceof CommanderError) {
      // Commander already printed its one-line message (or the help, exit code 0).
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const err = e as NodeJS.ErrnoException;
    const message = err.code === 'ENOENT' && err.path ? `no such file: ${err.path}` : err.message;
    const known = err instanceof UserError || err instanceof ArchiveError || err.code === 'ENOENT';
    process.stderr.write(`lakehouse: ${known ? '' : 'unexpected error: '}${message}\n`);
    if (process.env.LAKEHOUSE_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = known ? 2 : 1;
  }
}

void main();
