import { Option, type Command } from 'commander';
import * as opt from '../../lib/app/cli-options';
import { formatResult, type OutputFormat } from '../../lib/app/format';
import { BRONZE_STALE_AFTER_SECONDS, computeHealth } from '../../lib/app/health';
import { healthMarkdown } from '../../lib/app/health-markdown';
import { validateDate, validatedMarkdown } from '../../lib/app/validate';
import { featureCatalogueMarkdown } from '../../lib/gold/catalogue-markdown';
import { badFileLine } from '../../lib/lake/bad-files';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { researchViews } from '../../lib/queries';
import { checkLakeForReading, openLakeForReading } from '../../lib/storage/open-store';
import type { ExchangeId } from '../../lib/schema/columns';
import { EXIT, UserError } from '../../lib/util/errors';
import { json, print, warn, type CliRun } from './output';

/** The commands that read the lake and write nothing: `validate`, `features`, `health` and `query`. */

/** The flags commander parsed (with the parsers of lib/app/cli-options.ts and the `choices` below). */
interface ValidateFlags {
  date: string;
  exchange?: ExchangeId;
  symbol?: string;
  format: 'markdown' | 'json';
  lake: string;
}

interface HealthFlags {
  format: 'markdown' | 'json';
  staleAfter: number;
  lake: string;
}

interface QueryFlags {
  format: OutputFormat;
  lake: string;
}

export function addValidateCommand(program: Command, run: CliRun): void {
  program
    .command('validate')
    .description(
      "print Silver's quality reports for a date with their partitions' bad files (exit 3 when one FAILs or has bad files)",
    )
    .requiredOption('--date <YYYY-MM-DD>', 'date', opt.date)
    .option('--exchange <id>', 'only this exchange', opt.exchange)
    .option('--symbol <sym>', 'only this symbol', opt.symbol)
    .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(opt.lakeOption())
    .action(async (flags: ValidateFlags) => {
      let unreadable = 0;
      const filter = { exchange: flags.exchange, symbol: flags.symbol };
      const checked = await validateDate(openLakeForReading(flags.lake), flags.date, filter, (key, reason) => {
        unreadable++;
        warn(`skipped ${key}: ${reason}`);
      });
      if (flags.format === 'json') json(checked.map((v) => ({ ...v.report, badFiles: v.badFiles })));
      else print(checked.map(validatedMarkdown).join('\n'));
      if (unreadable || checked.some((v) => v.report.verdict === 'FAIL' || v.badFiles.length)) run.exitCode = EXIT.LAKE_PROBLEM;
    });
}

export function addFeaturesCommand(program: Command): void {
  program
    .command('features')
    .description('print the Gold feature catalogue as Markdown (docs/features.md is this output)')
    .action(() => {
      print(featureCatalogueMarkdown());
    });
}

export function addHealthCommand(program: Command, run: CliRun): void {
  program
    .command('health')
    .description('freshness of Bronze, completeness of the latest Silver, validity of the latest Gold')
    .addOption(new Option('--format <fmt>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('--stale-after <sec>', 'Bronze older than this is stale', opt.positiveInt, BRONZE_STALE_AFTER_SECONDS)
    .addOption(opt.lakeOption())
    .action(async (flags: HealthFlags) => {
      const health = await computeHealth(openLakeForReading(flags.lake), Date.now(), { staleAfterSeconds: flags.staleAfter });
      print(flags.format === 'json' ? JSON.stringify(health, null, 2) : healthMarkdown(health));
      if (!health.ok) run.exitCode = EXIT.LAKE_PROBLEM;
    });
}

export function addQueryCommand(program: Command): void {
  program
    .command('query')
    .description(
      'run SQL with DuckDB over the lake; views are named {layer}_{dataset} like the Glue tables, ' +
        'research views are research_*(args) (README, "Research views")',
    )
    .argument('<sql>', 'SQL, e.g. "select count(*) from silver_klines"', opt.sql)
    .addOption(new Option('--format <fmt>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addOption(opt.lakeOption())
    .action(async (sql: string, flags: QueryFlags) => {
      if (flags.lake.startsWith('s3://')) throw new UserError('query runs on a local lake folder; use Athena for s3:// lakes');
      checkLakeForReading(flags.lake);
      const engine = await LakeQueryEngine.open(flags.lake, {
        onBadFile: (bad) => warn(`skipped ${badFileLine(bad)}`),
        tableMacros: researchViews(),
      });
      const answer = await engine
        .query(sql)
        .catch((error: Error) => error)
        .finally(() => engine.close());
      if (answer instanceof Error) throw new UserError(`query failed: ${answer.message.split('\n')[0]}`);
      process.stdout.write(formatResult(answer, flags.format));
    });
}
