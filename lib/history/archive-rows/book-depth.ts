import { dataset } from '../../schema/registry';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { ArchiveFieldReader } from './archive-fields';

const bronze = dataset('bronze', 'book_depth');

/**
 * USD-M bookDepth lines → Bronze `book_depth`, one row per snapshot and band as the file has them. Any band is
 * taken, not only ±1…±5: ±0.2 is reported from 2026-01-15 (docs/history.md, "CSV layouts"); 0 is no band at all.
 */
export const bookDepthRows: ArchiveRowMapper = {
  bronze,
  map(fields, context) {
    const read = new ArchiveFieldReader(fields, context, 'bookDepth');
    const percentage = read.decimal('percentage');
    if (percentage === 0) read.fail("percentage is not a band: '0' (bids are negative, asks positive)");
    return read.finish(
      bronze,
      {
        event_time: read.time('timestamp'),
        percentage,
        depth: read.decimal('depth'),
        notional: read.decimal('notional'),
      },
      'timestamp',
    );
  },
};
