import { dataset } from '../../../lib/schema/registry';
import type { DatasetSpec } from '../../../lib/schema/types';
import { Table, type ColumnData } from '../../../lib/table/table';
import type { Json } from '../../lib/types';
import { seededRandom as rng } from '../../../lib/simulator/market/rng';

/**
 * Deterministic synthetic Bronze inputs. Every child regenerates the same table from the same seed instead of
 * receiving it from the parent: passing a million rows over IPC would cost more than building them, and each
 * case must hold exactly one copy of its input, as the collector and the Silver job do.
 *
 * Values are shaped like the real feeds so that compression ratios mean something: prices on a 0.01 tick doing
 * a random walk near 95,000, sizes with 5 decimals, increasing ids and times, a few thin books with null levels.
 */

export type BenchDataset = 'trades' | 'book_top10';
export const BENCH_DATASETS: readonly BenchDataset[] = ['trades', 'book_top10'];

/** 00:00 UTC of the synthetic day. */
export const DAY0 = Date.UTC(2026, 0, 15);

export const specOf = (d: BenchDataset): DatasetSpec => dataset('bronze', d);

/** Arguments of every write/read task of the section. */
export interface CaseArgs {
  dataset: BenchDataset;
  rows: number;
  file: string;
}

export function caseArgs(a: Json): CaseArgs {
  const o = a as Partial<CaseArgs> | null;
  if (!o || (o.dataset !== 'trades' && o.dataset !== 'book_top10') || typeof o.rows !== 'number' || typeof o.file !== 'string') {
    throw new Error(`bad case arguments: ${JSON.stringify(a)}`);
  }
  return { dataset: o.dataset, rows: o.rows, file: o.file };
}

const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;
const constant = (n: number, v: string): (string | null)[] => new Array<string | null>(n).fill(v);

export function makeInput(d: BenchDataset, rows: number): Table {
  return d === 'trades' ? makeTrades(rows) : makeBook(rows);
}

/**
 * `rows` trades spread over one day (mean gap 86,400,000 / rows ms). As on a real tape, most trades print at the
 * previous price, and many sizes are round lots.
 */
export function makeTrades(n: number): Table {
  const r = rng(1);
  const tradeId = new Float64Array(n);
  const eventTime = new Float64Array(n);
  const price = new Float64Array(n);
  const qty = new Float64Array(n);
  const quoteQty = new Float64Array(n);
  const ingest = new Float64Array(n);
  const isBuyerMaker: (boolean | null)[] = new Array<boolean | null>(n);
  const meanGap = 86_400_000 / n;
  let t = DAY0;
  let ticks = 9_500_000; // price in 0.01 ticks
  let maker = false;
  for (let i = 0; i < n; i++) {
    t += Math.floor(-Math.log(1 - r()) * meanGap);
    if (r() < 0.3) ticks += (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 20));
    const px = ticks / 100;
    const q = r() < 0.4 ? 0.001 * (1 + Math.floor(r() * 20)) : Math.max(0.00001, round(-Math.log(1 - r()) * 0.02, 5));
    if (r() < 0.3) maker = !maker; // aggressor side comes in runs
    tradeId[i] = 4_200_000_000 + i; // above 2^31: the column must really be int64
    eventTime[i] = t;
    price[i] = px;
    qty[i] = q;
    quoteQty[i] = px * q;
    isBuyerMaker[i] = maker;
    ingest[i] = t + 5 + Math.floor(r() * 40);
  }
  const columns: Record<string, ColumnData> = {
    trade_id: tradeId,
    event_time: eventTime,
    price,
    qty,
    quote_qty: quoteQty,
    is_buyer_maker: isBuyerMaker,
    base: constant(n, 'BTC'),
    quote: constant(n, 'USDT'),
    ingest_time: ingest,
    source: constant(n, 'ws'),
  };
  return new Table(specOf('trades'), n, columns);
}

const bookSize = (r: () => number) => Math.max(0.00001, round(-Math.log(1 - r()) * 0.3, 5));

/**
 * `rows` top-10 snapshots 100 ms apart (864,000 = one day). The book persists between snapshots as a real one
 * does: in 100 ms the touch moves now and then and a few sizes change, so most cells repeat the previous row's.
 * About 1 book in 200 is thinner than 10 levels on a side (null levels).
 */
export function makeBook(n: number): Table {
  const r = rng(2);
  const spec = specOf('book_top10');
  const col = (name: string) => [name, new Float64Array(n)] as const;
  const num = Object.fromEntries(spec.columns.filter((c) => c.type !== 'string').map((c) => col(c.name)));
  const out = (side: string, what: string) => Array.from({ length: 10 }, (_, k) => num[`${side}_${what}_${k + 1}`]);
  const [bidPxOut, bidSzOut, askPxOut, askSzOut] = [out('bid', 'px'), out('bid', 'sz'), out('ask', 'px'), out('ask', 'sz')];
  // Live book in ticks of 0.01: level k sits gap[k] ticks beyond level k-1.
  let bidTicks = 9_500_000;
  const bidGap = Array.from({ length: 10 }, () => 1 + Math.floor(r() * 3));
  const askGap = Array.from({ length: 10 }, () => 1 + Math.floor(r() * 3));
  const bidSz = Array.from({ length: 10 }, () => bookSize(r));
  const askSz = Array.from({ length: 10 }, () => bookSize(r));
  let updateId = 61_000_000_000;
  for (let i = 0; i < n; i++) {
    const t = DAY0 + i * 100;
    num.event_time[i] = t;
    updateId += 1 + Math.floor(r() * 30);
    num.last_update_id[i] = updateId;
    num.ingest_time[i] = t + 3 + Math.floor(r() * 20);
    if (r() < 0.1) {
      // The touch moves: the whole ladder shifts and the new levels get fresh sizes.
      const move = (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 3));
      bidTicks += move;
      for (let k = 0; k < 10; k++) {
        bidSz[k] = bookSize(r);
        askSz[k] = bookSize(r);
      }
    } else {
      for (let k = 0; k < 10; k++) {
        if (r() < 0.08) bidSz[k] = bookSize(r);
        if (r() < 0.08) askSz[k] = bookSize(r);
        if (k > 0 && r() < 0.01) bidGap[k] = 1 + Math.floor(r() * 3);
        if (k > 0 && r() < 0.01) askGap[k] = 1 + Math.floor(r() * 3);
      }
    }
    const bidDepth = r() < 0.005 ? 1 + Math.floor(r() * 9) : 10;
    const askDepth = r() < 0.005 ? 1 + Math.floor(r() * 9) : 10;
    let b = bidTicks;
    let a = bidTicks + askGap[0];
    for (let k = 0; k < 10; k++) {
      if (k > 0) {
        b -= bidGap[k];
        a += askGap[k];
      }
      bidPxOut[k][i] = k < bidDepth ? b / 100 : NaN;
      bidSzOut[k][i] = k < bidDepth ? bidSz[k] : NaN;
      askPxOut[k][i] = k < askDepth ? a / 100 : NaN;
      askSzOut[k][i] = k < askDepth ? askSz[k] : NaN;
    }
  }
  const columns: Record<string, ColumnData> = {
    ...num,
    base: constant(n, 'BTC'),
    quote: constant(n, 'USDT'),
    source: constant(n, 'ws'),
  };
  return new Table(spec, n, columns);
}
