import { archiveMarket } from '../../exchanges/binance/archive-layout';
import { baseQuote } from '../../exchanges/symbols';
import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import type { ArchiveLineContext, ArchiveReject, ArchiveRowMapper } from '../archive-row-mapper';
import { clip, timeInUnit } from '../binance-klines-archive';
import { checkedArchiveRow } from './archive-fields';

/**
 * Trade archive lines as Bronze `trades` rows (docs/history.md, "CSV layouts"): spot
 * `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match` (no header, `True`/`False`, µs from 2025-01-01) and
 * USD-M `id,price,qty,quote_qty,time,is_buyer_maker` (`true`/`false`, ms). `is_best_match` has no Bronze column.
 * Then the checks every archive row passes (checkedArchiveRow).
 */

const bronze = dataset('bronze', 'trades');

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

function tradesRow(fields: readonly string[], context: ArchiveLineContext): Row | ArchiveReject {
  const market = archiveMarket(context.file.market);
  const columns = market.datasets.trades?.columns.length ?? 0;
  if (fields.length !== columns) return { reject: `expected ${columns} columns, got ${fields.length}` };
  const eventTime = timeInUnit('time', fields[4], context.file.timeFormat === 'us' ? 'us' : 'ms');
  if (typeof eventTime === 'string') return { reject: eventTime };
  const [yes, no] = market.booleans;
  const maker = fields[5];
  if (maker !== yes && maker !== no) return { reject: `is_buyer_maker is not ${yes} or ${no}: '${clip(maker)}'` };
  const { base, quote } = baseQuote(context.symbol);
  const row: Row = {
    trade_id: num(fields[0]),
    event_time: eventTime,
    price: num(fields[1]),
    qty: num(fields[2]),
    quote_qty: num(fields[3]),
    is_buyer_maker: maker === yes,
    base,
    quote,
    ingest_time: context.ingestMs,
    source: 'archive',
  };
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return { reject: `${key} is not a number` };
  }
  return checkedArchiveRow(bronze, row, 'time', context);
}

export const tradesMapper: ArchiveRowMapper = { bronze, map: tradesRow };
