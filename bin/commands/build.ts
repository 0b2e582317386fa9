import type { Command } from 'commander';
import * as opt from '../../lib/app/cli-options';
import { requireBuildInput } from '../../lib/app/build-input';
import { BuildProblems } from '../../lib/app/build-problems';
import { runRange } from '../../lib/app/run-range';
import { runGold, type GoldResult } from '../../lib/gold/gold-job';
import { settle, type BuildLayer, type SkippedInput } from '../../lib/lake/build-issues';
import type { ExchangeId } from '../../lib/schema/columns';
import { runSilver, type SilverResult } from '../../lib/silver/silver-job';
import type { ObjectStore } from '../../lib/storage/object-store';
import { openLakeForWriting } from '../../lib/storage/open-store';
import { UserError } from '../../lib/util/errors';
import { endProgress, stderrProgress } from '../../lib/util/progress';
import { json, reportProblems, warn, type CliRun } from './output';

/** The commands that build Silver and Gold from the layer below: `silver`, `gold` and `run`. */

/** The flags commander parsed (with the parsers of lib/app/cli-options.ts) for `silver` and `gold`. */
interface DateFlags {
  date: string;
  exchange?: ExchangeId;
  symbol?: string;
  lake: string;
}

/** `run`'s flags. */
interface RangeFlags {
  from: string;
  to: string;
  exchange?: ExchangeId;
  symbol?: string;
  lake: string;
}

/** What `silver` and `gold` differ in: the layer, what they write, the build and what the terminal is shown of it. */
interface DateBuild<T> {
  layer: BuildLayer;
  description: string;
  /** Top-level lake folders it writes to: a read-only one is refused before any work. */
  writes: readonly string[];
  build(request: {
    store: ObjectStore;
    dt: string;
    exchange?: string;
    symbol?: string;
    onProgress(msg: string): void;
    onSkip(skipped: SkippedInput): void;
  }): Promise<T[]>;
  summary(built: readonly T[]): unknown;
}

/** A command that rebuilds one layer's partitions of a date, reporting skipped inputs and failed partitions. */
function addDateBuildCommand<T>(program: Command, run: CliRun, spec: DateBuild<T>): void {
  program
    .command(spec.layer)
    .description(spec.description)
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (flags: DateFlags) => {
      const store = openLakeForWriting(flags.lake, { create: false, writes: spec.writes });
      await requireBuildInput(store, spec.layer, {
        from: flags.date,
        to: flags.date,
        exchange: flags.exchange,
        symbol: flags.symbol,
      });
      const problems = new BuildProblems(warn);
      const { built, failures } = await settle(
        spec.build({
          store,
          dt: flags.date,
          exchange: flags.exchange,
          symbol: flags.symbol,
          onProgress: stderrProgress(),
          onSkip: problems.onSkip,
        }),
      );
      endProgress();
      json(spec.summary(built));
      reportProblems(run, problems.list(failures));
    });
}

export function addSilverCommand(program: Command, run: CliRun): void {
  addDateBuildCommand<SilverResult>(program, run, {
    layer: 'silver',
    description: 'rebuild the Silver partitions of a date from Bronze',
    writes: ['silver', 'quarantine', 'reports'],
    build: runSilver,
    summary: (built) =>
      built.map(({ exchange, symbol, dt, report }) => ({
        exchange,
        symbol,
        dt,
        verdict: report.verdict,
        reasons: report.reasons,
        rows: report.klines_1m.kept,
        completeness: report.klines_1m.completeness,
      })),
  });
}

export function addGoldCommand(program: Command, run: CliRun): void {
  addDateBuildCommand<GoldResult>(program, run, {
    layer: 'gold',
    description: 'rebuild the Gold partitions of a date from Silver',
    writes: ['gold', 'reports'],
    build: runGold,
    // The full per-feature null counts are in reports/gold/; the terminal gets the totals and any problem features.
    summary: (built) =>
      built.map(({ files: _files, validity: { byFeature, ...totals }, ...rest }) => ({
        ...rest,
        validity: {
          ...totals,
          problemFeatures: Object.keys(byFeature).filter(
            (feature) => byFeature[feature].invalid || byFeature[feature].unexpectedNulls,
          ),
        },
      })),
  });
}

export function addRunCommand(program: Command, run: CliRun): void {
  program
    .command('run')
    .description('Silver then Gold over a date range')
    .requiredOption('--from <YYYY-MM-DD>', 'first date', opt.date)
    .requiredOption('--to <YYYY-MM-DD>', 'last date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(opt.lakeOption())
    .action(async (flags: RangeFlags) => {
      if (flags.from > flags.to) throw new UserError(`--from ${flags.from} is after --to ${flags.to}`);
      const store = openLakeForWriting(flags.lake, { create: false, writes: ['silver', 'gold', 'quarantine', 'reports'] });
      await requireBuildInput(store, 'silver', {
        from: flags.from,
        to: flags.to,
        exchange: flags.exchange,
        symbol: flags.symbol,
      });
      const problems = new BuildProblems(warn);
      const { built, failures } = await settle(
        runRange({
          store,
          from: flags.from,
          to: flags.to,
          exchange: flags.exchange,
          symbol: flags.symbol,
          progress: stderrProgress(),
          onSkip: problems.onSkip,
        }),
      );
      endProgress();
      json({
        silver: built.silver.map(({ exchange, symbol, dt, report }) => ({
          exchange,
          symbol,
          dt,
          verdict: report.verdict,
          rows: report.klines_1m.kept,
          completeness: report.klines_1m.completeness,
        })),
        gold: built.gold.map(({ exchange, symbol, dt, rows, dataOkRows, validity }) => ({
          exchange,
          symbol,
          dt,
          rows,
          dataOkRows,
          invalidFeatures: validity.invalid,
        })),
      });
      reportProblems(run, problems.list(failures));
    });
}
