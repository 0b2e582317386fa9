import { dataset } from '../../schema/registry';
import type { ArchiveLineContext, ArchiveRowMapper } from '../archive-row-mapper';
import { clip } from '../binance-klines-archive';
import { ArchiveFieldReader } from './archive-fields';

/**
 * USD-M metrics lines hold two Bronze datasets (docs/history.md, "Archive rows in Bronze"): open interest, which
 * the collector polls into `open_interest` too, and the long/short ratios, which only the archive has. A mapper
 * yields one dataset's row, so a metrics file has two mappers, each reading every line.
 */

const openInterest = dataset('bronze', 'open_interest');
const ratios = dataset('bronze', 'long_short_ratios');

/** A metrics file names its symbol on every line; another symbol's line is a spliced file. */
function readerOf(fields: readonly string[], context: ArchiveLineContext): ArchiveFieldReader {
  const read = new ArchiveFieldReader(fields, context, 'metrics');
  const symbol = read.text('symbol');
  if (symbol !== context.symbol.toUpperCase())
    read.fail(`symbol differs from the file's: '${clip(symbol)}' in a ${context.symbol} file`);
  return read;
}

/** `sum_open_interest` (contracts) and `sum_open_interest_value` (quote) → Bronze `open_interest`. */
export const metricsOpenInterestRows: ArchiveRowMapper = {
  bronze: openInterest,
  map(fields, context) {
    const read = readerOf(fields, context);
    const time = read.time('create_time');
    // Fields may be empty (docs/history.md); an empty open interest leaves no reading, which the registry refuses.
    const contracts = read.decimal('sum_open_interest', true);
    if (contracts === null) read.fail('sum_open_interest is empty');
    return read.finish(
      openInterest,
      { event_time: time, open_interest: contracts, open_interest_value: read.decimal('sum_open_interest_value', true) },
      'create_time',
    );
  },
};

/** The three long/short ratios and the taker volume ratio → Bronze `long_short_ratios`; empty fields are null. */
export const metricsRatiosRows: ArchiveRowMapper = {
  bronze: ratios,
  map(fields, context) {
    const read = readerOf(fields, context);
    return read.finish(
      ratios,
      {
        event_time: read.time('create_time'),
        top_trader_account_ratio: read.decimal('count_toptrader_long_short_ratio', true),
        top_trader_position_ratio: read.decimal('sum_toptrader_long_short_ratio', true),
        global_account_ratio: read.decimal('count_long_short_ratio', true),
        taker_buy_sell_ratio: read.decimal('sum_taker_long_short_vol_ratio', true),
      },
      'create_time',
    );
  },
};
