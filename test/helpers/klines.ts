import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { Table } from '../../lib/table/table';

/** A Bronze 1m kline row with sensible defaults, for Silver tests. */
export function kline(openTime: number, o: Partial<Row> = {}): Row {
  const close = (o.close as number | undefined) ?? 100;
  return {
    open_time: openTime,
    close_time: openTime + 59_999,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 10,
    quote_volume: 1000,
    trade_count: 50,
    taker_buy_volume: 5,
    taker_buy_quote_volume: 500,
    is_closed: true,
    event_time: openTime + 60_000,
    base: 'BTC',
    quote: 'USDT',
    ingest_time: openTime + 60_100,
    source: 'ws',
    ...o,
  };
}

/** A full day of Bronze 1m klines with a gentle random walk, minus the minutes in `skip`. */
export function bronzeDay(dt: string, skip: Iterable<number> = [], over: (m: number) => Partial<Row> = () => ({})): Table {
  const start = Date.parse(`${dt}T00:00:00Z`);
  const skipped = new Set(skip);
  const rows: Row[] = [];
  let price = 100;
  for (let m = 0; m < 1440; m++) {
    price += Math.sin(m * 0.37) * 0.3;
    if (!skipped.has(m)) rows.push(kline(start + m * 60_000, { close: price, ...over(m) }));
  }
  return Table.fromRows(dataset('bronze', 'klines'), rows);
}
