import { baseQuote } from '../../exchanges/symbols';
import { timeframeMs } from '../../schema/columns';
import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import type { ArchiveLineContext, ArchiveReject, ArchiveRowMapper } from '../archive-row-mapper';
import { klineArchiveRow } from '../binance-klines-archive';
import { checkedArchiveRow } from './archive-fields';

/**
 * Kline archive lines (every interval, spot and USD-M) as Bronze `klines` rows. The 12 columns and the unit rule are
 * `lakehouse import`'s (lib/history/binance-klines-archive.ts): spot files are µs from 2025-01-01, which the file's
 * `timeFormat` says (docs/history.md, "CSV layouts"), so a row in the other unit is rejected, never converted. The
 * interval check is the archive's own: `close_time − open_time + 1` is the interval, and open times lie on its grid.
 * Then the checks every archive row passes (checkedArchiveRow).
 */
const bronze = dataset('bronze', 'klines');

export const klinesMapper: ArchiveRowMapper = {
  bronze,
  map(fields: readonly string[], context: ArchiveLineContext): Row | ArchiveReject {
    const interval = context.file.interval ?? '';
    if (fields.length !== 12) return { reject: `expected 12 columns, got ${fields.length}` };
    const unit = context.file.timeFormat === 'us' ? 'us' : 'ms';
    const { base, quote } = baseQuote(context.symbol);
    const row = klineArchiveRow(fields, unit, base, quote, context.ingestMs);
    if (typeof row === 'string') return { reject: row };
    const openTime = row.open_time as number;
    const stepMs = timeframeMs(interval);
    if (openTime % stepMs !== 0) return { reject: `open_time not on the ${interval} grid: ${openTime}` };
    if ((row.close_time as number) - openTime + 1 !== stepMs) {
      return { reject: `close_time − open_time + 1 is not ${interval}: ${(row.close_time as number) - openTime + 1} ms` };
    }
    return checkedArchiveRow(bronze, row, 'open_time', context);
  },
};
