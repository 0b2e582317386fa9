import { dataset } from '../../../lib/schema/registry';
import type { Row } from '../../../lib/schema/types';
import type { GoldInputs } from '../../../lib/gold/inputs';
import { cleanKlines1m } from '../../../lib/silver/klines-1m';
import { seededRandom } from '../../../lib/simulator/market/rng';
import { dateRange, dayStart } from '../../../lib/storage/lake-paths';
import { Table } from '../../../lib/table/table';
import { bronzeDay } from '../../helpers/klines';

/**
 * Synthetic Silver inputs for Gold tests: 1m bars for every day of a range (a noisy walk with varying volume so
 * every indicator moves, holes on request), and for the days in `eventDays` book snapshots every 10 s, funding
 * every 30 s, open interest every minute and a liquidation every few minutes.
 */

const SILVER = (name: string) => dataset('silver', name);

export function silver1m(from: string, to: string, holes: Record<string, number[]> = {}): Table {
  const days = dateRange(from, to);
  const base = dayStart(from);
  const tables = days.map((dt) => {
    const d = (dayStart(dt) - base) / 86_400_000;
    const bronze = bronzeDay(dt, holes[dt] ?? [], (m) => {
      const x = d * 1440 + m;
      const close = 100 + 10 * Math.sin(x / 700) + 2 * Math.sin(x / 37) + 0.3 * Math.sin(x * 1.7);
      const volume = 5 + 4 * Math.sin(x / 13) ** 2 + (x % 97 === 0 ? 40 : 0);
      return {
        close,
        open: close - 0.1 * Math.cos(x),
        high: close + 0.5 + Math.abs(Math.sin(x)),
        low: close - 0.5 - Math.abs(Math.cos(x)),
        volume,
        quote_volume: volume * close,
        taker_buy_volume: volume * (0.5 + 0.4 * Math.sin(x / 5)),
      };
    });
    return cleanKlines1m(bronze, dt, 0).silver;
  });
  return Table.concat(SILVER('klines'), tables);
}

function silverRows(name: string, rows: Row[]): Table {
  const spec = SILVER(name);
  return Table.fromRows(
    spec,
    rows.map((r) => ({ base: 'BTC', quote: 'USDT', ingest_time: r.event_time, source: 'ws', quality_flags: 0, ...r })),
  );
}

export function eventInputs(
  days: readonly string[],
  seed = 7,
): Pick<GoldInputs, 'book' | 'funding' | 'openInterest' | 'liquidations'> {
  const rnd = seededRandom(seed);
  const book: Row[] = [];
  const funding: Row[] = [];
  const oi: Row[] = [];
  const liq: Row[] = [];
  let openInterest = 50_000;
  for (const dt of days) {
    const start = dayStart(dt);
    for (let t = start; t < start + 86_400_000; t += 10_000) {
      const mid = 100 + 5 * Math.sin(t / 3.6e6);
      const r: Row = { event_time: t + Math.floor(rnd() * 500), last_update_id: t / 10 };
      for (let l = 1; l <= 10; l++) {
        r[`bid_px_${l}`] = mid - 0.01 * l;
        r[`ask_px_${l}`] = mid + 0.01 * l;
        r[`bid_sz_${l}`] = 1 + 10 * rnd() + (l === 7 && rnd() < 0.3 ? 200 : 0);
        r[`ask_sz_${l}`] = 1 + 10 * rnd();
      }
      book.push(r);
    }
    for (let t = start + 1_000; t < start + 86_400_000; t += 30_000) {
      const mark = 100 + 5 * Math.sin(t / 3.6e6);
      funding.push({
        event_time: t,
        mark_price: mark,
        index_price: mark * (1 - 0.0002 * Math.sin(t / 7.2e6)),
        funding_rate: 0.0001 * Math.sin(t / 1.08e7),
        next_funding_time: null,
      });
    }
    for (let t = start + 5_000; t < start + 86_400_000; t += 60_000) {
      openInterest *= 1 + (rnd() - 0.5) * 0.002;
      oi.push({ event_time: t, open_interest: openInterest, open_interest_value: null });
    }
    for (let t = start + 17_000; t < start + 86_400_000; t += 60_000 * (1 + Math.floor(rnd() * 9))) {
      liq.push({
        event_time: t,
        side: rnd() < 0.5 ? 'SELL' : 'BUY',
        price: 100,
        qty: 1 + Math.floor(rnd() * 5),
        avg_price: 100.5,
        status: 'FILLED',
        filled_qty: 2,
      });
    }
  }
  return {
    book: silverRows('book_top10', book),
    funding: silverRows('funding', funding),
    openInterest: silverRows('open_interest', oi),
    liquidations: silverRows('liquidations', liq),
  };
}
