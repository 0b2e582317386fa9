import { dataset } from '../../schema/registry';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { ArchiveFieldReader } from './archive-fields';

const bronze = dataset('bronze', 'agg_trades');

/**
 * Spot and USD-M aggTrades lines → Bronze `agg_trades` (docs/history.md, "CSV layouts"): spot lines carry an eighth
 * column, `is_best_match`, which USD-M files lack (null there).
 */
export const aggTradesRows: ArchiveRowMapper = {
  bronze,
  map(fields, context) {
    const read = new ArchiveFieldReader(fields, context, 'aggTrades');
    const spot = context.file.market === 'spot';
    return read.finish(
      bronze,
      {
        agg_trade_id: read.integer('agg_trade_id'),
        event_time: read.time('transact_time'),
        price: read.decimal('price'),
        qty: read.decimal('quantity'),
        first_trade_id: read.integer('first_trade_id'),
        last_trade_id: read.integer('last_trade_id'),
        is_buyer_maker: read.boolean('is_buyer_maker'),
        is_best_match: spot ? read.boolean('is_best_match') : null,
      },
      'transact_time',
    );
  },
};
