import { dataset } from '../../schema/registry';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { ArchiveFieldReader } from './archive-fields';

const bronze = dataset('bronze', 'quotes');

/**
 * USD-M bookTicker lines → Bronze `quotes`. The row's `event_time` is the file's `event_time` (the stream's `E`),
 * as the collector keeps `E` for the same payload (lib/exchanges/binance/payload-mapper.ts), so archive and live
 * rows of one update share their key; `transaction_time` (`T`) is still read, so a damaged one rejects the line.
 */
export const bookTickerRows: ArchiveRowMapper = {
  bronze,
  map(fields, context) {
    const read = new ArchiveFieldReader(fields, context, 'bookTicker');
    read.time('transaction_time');
    return read.finish(
      bronze,
      {
        event_time: read.time('event_time'),
        update_id: read.integer('update_id'),
        bid_px: read.decimal('best_bid_price'),
        bid_sz: read.decimal('best_bid_qty'),
        ask_px: read.decimal('best_ask_price'),
        ask_sz: read.decimal('best_ask_qty'),
      },
      'event_time',
    );
  },
};
