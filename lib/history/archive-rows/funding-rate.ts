import { dataset } from '../../schema/registry';
import type { ArchiveRowMapper } from '../archive-row-mapper';
import { ArchiveFieldReader } from './archive-fields';

const bronze = dataset('bronze', 'funding_rates');

/**
 * USD-M fundingRate lines → Bronze `funding_rates`, not `funding`: `funding` holds the mark-price stream's rows,
 * whose mark price the archive does not have (a required column) and whose rate is the running estimate, while
 * the archive's `last_funding_rate` is the rate settled at `calc_time` (docs/history.md, "Archive rows in Bronze").
 */
export const fundingRateRows: ArchiveRowMapper = {
  bronze,
  map(fields, context) {
    const read = new ArchiveFieldReader(fields, context, 'fundingRate');
    return read.finish(
      bronze,
      {
        event_time: read.time('calc_time'),
        funding_rate: read.decimal('last_funding_rate'),
        funding_interval_hours: read.integer('funding_interval_hours'),
      },
      'calc_time',
    );
  },
};
