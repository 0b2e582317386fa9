import { InvalidArgumentError, Option, type Command } from 'commander';
import * as opt from '../../lib/app/cli-options';
import { runSlice } from '../../lib/app/slice';
import { SLICE_LAYERS, SLICE_TIMEFRAMES, type SliceLayer, type SliceTimeframe } from '../../lib/app/slice-source';
import { badFileLine } from '../../lib/lake/bad-files';
import type { ExchangeId } from '../../lib/schema/columns';
import { checkLakeForReading } from '../../lib/storage/open-store';
import { UserError } from '../../lib/util/errors';
import { json, warn } from './output';

/** `lakehouse slice`: an aligned Parquet or CSV export of Silver or Gold for notebooks (docs/slice.md). */

interface SliceFlags {
  symbols: string[];
  exchange?: ExchangeId;
  start: number;
  end: number;
  tf: SliceTimeframe;
  layer: SliceLayer;
  columns?: string[];
  wide?: boolean;
  out: string;
  lake: string;
}

const columnList = (value: string): string[] => {
  const list = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (!list.length) throw new InvalidArgumentError('expected a comma-separated list of columns, e.g. close,volume');
  return list;
};

export function addSliceCommand(program: Command): void {
  program
    .command('slice')
    .description(
      'export Silver or Gold for symbols over a time range to Parquet or CSV, aligned on the full time grid of the ' +
        'timeframe (long: a row per time and symbol; --wide: a row per time), with data_ok and quality_flags',
    )
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. BTCUSDT,ETHUSDT', opt.symbolList)
    .option('--exchange <id>', 'read the symbols on this exchange (needed when one is on several)', opt.exchange)
    .requiredOption('--start <time>', 'first bar, UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z', opt.isoTime)
    .requiredOption('--end <time>', 'end of the range (exclusive), UTC: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z', opt.isoTime)
    .addOption(new Option('--tf <timeframe>', 'bar timeframe').choices(SLICE_TIMEFRAMES).makeOptionMandatory())
    .addOption(
      new Option('--layer <layer>', 'silver (bars_1s, klines) or gold (features_1m, ohlcv_*)')
        .choices(SLICE_LAYERS)
        .default('silver'),
    )
    .option('--columns <list>', 'only these columns (data_ok and quality_flags always come along)', columnList)
    .option('--wide', 'one row per time, columns named <symbol>__<column>')
    .requiredOption('--out <file>', 'FILE.parquet or FILE.csv (replaced when it exists)', opt.path('an output file'))
    .addOption(opt.lakeOption())
    .action(async (flags: SliceFlags) => {
      if (flags.lake.startsWith('s3://')) throw new UserError('slice runs on a local lake folder; use Athena for s3:// lakes');
      checkLakeForReading(flags.lake);
      const summary = await runSlice({
        lake: flags.lake,
        symbols: flags.symbols,
        exchange: flags.exchange,
        startMs: flags.start,
        endMs: flags.end,
        tf: flags.tf,
        layer: flags.layer,
        columns: flags.columns,
        wide: Boolean(flags.wide),
        out: flags.out,
        onBadFile: (bad) => warn(`skipped ${badFileLine(bad)}`),
        onEmptyMarket: (m) => warn(`${m.exchange}/${m.symbol} has no rows in the range: its columns are empty`),
      });
      json(summary);
    });
}
