import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { isJsonObject } from '../binance/field-reader';
import { baseQuote } from '../symbols';
import type { NormalizedRecord, ParseOutcome } from '../types';
import type { KrakenFields } from './fields';
import { rowRefusal } from './row-refusal';
import { krakenStreamName } from './streams';

/** Kraken v2 `trade` messages → Bronze trades rows. */

const TRADES = dataset('bronze', 'trades');

/** `side` is the taker's: a sell hit the bid, so the buyer was the maker. */
export function mapTrades(fields: KrakenFields, data: unknown[], receiveMs: number): ParseOutcome {
  const read = fields.reset();
  const records: NormalizedRecord[] = [];
  for (const trade of data) {
    if (!isJsonObject(trade)) return { kind: 'error', reason: 'trade: trade is not an object' };
    const symbol = read.symbol(trade, 'symbol').toUpperCase();
    const side = read.str(trade, 'side');
    if (!read.problem && side !== 'buy' && side !== 'sell') read.fail('field side is not buy or sell');
    const price = read.decimal(trade, 'price');
    const qty = read.decimal(trade, 'qty');
    const { base, quote } = baseQuote(symbol);
    const row: Row = {
      trade_id: read.int(trade, 'trade_id'),
      event_time: read.time(trade, 'timestamp'),
      price,
      qty,
      quote_qty: price * qty,
      is_buyer_maker: side === 'sell',
      base,
      quote,
      ingest_time: receiveMs,
      source: 'ws',
    };
    const problem = rowRefusal(TRADES, 'trade', read, row);
    if (problem) return { kind: 'error', reason: problem };
    records.push({ dataset: 'trades', symbol, stream: krakenStreamName('trade', symbol), row });
  }
  return records.length > 0 ? { kind: 'records', records } : { kind: 'skipped', reason: 'trade message without trades' };
}
