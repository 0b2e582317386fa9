import { createRequire } from 'node:module';
import path from 'node:path';
import { barSeries } from '../../../lib/gold/bar-series';
import { FEATURES } from '../../../lib/gold/feature-columns';
import { computeFeatureRange } from '../../../lib/gold/features';
import { runGold } from '../../../lib/gold/gold-job';
import { atr, macd, rsi } from '../../../lib/gold/indicators';
import { windowMean, windowStd } from '../../../lib/gold/windows';
import { putTable } from '../../../lib/parquet/write';
import { dataset } from '../../../lib/schema/registry';
import type { Row } from '../../../lib/schema/types';
import { seededRandom } from '../../../lib/simulator/market/rng';
import { addDays, dateRange, dayStart, partitionFileKey } from '../../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import type { ObjectStore } from '../../../lib/storage/object-store';
import { Table, TableBuilder } from '../../../lib/table/table';
import type { TaskFn } from '../../lib/types';

/**
 * Timed cases of the gold section, each in its own child: `year` = one-pass features over a year of 1m bars;
 * `oursCore` / `talibCore` = only the fixed core indicators (docs/features.md#fixed-core-indicators) on the same bars,
 * ours vs TA-Lib C (npm talib); `lakeSetup` (untimed) + `goldDay` = runGold for one day read from a local lake with its
 * warm-up, order book and perpetual inputs.
 */

export const YEAR_START = '2024-01-01';
const MINUTE = 60_000;
const SILVER_KLINES = dataset('silver', 'klines');

/** Silver 1m bars: a seeded random walk with volume, `days` days from `start`. */
export function syntheticSilver1m(start: string, days: number, seed = 11): Table {
  const rnd = seededRandom(seed);
  const n = days * 1440;
  const b = new TableBuilder(SILVER_KLINES, n);
  let price = 40_000;
  const t0 = dayStart(start);
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (rnd() - 0.5) * 0.002;
    const close = price;
    const high = Math.max(open, close) * (1 + rnd() * 0.0008);
    const low = Math.min(open, close) * (1 - rnd() * 0.0008);
    const volume = 1 + rnd() * 20;
    const t = t0 + i * MINUTE;
    b.push({
      open_time: t,
      close_time: t + MINUTE - 1,
      open,
      high,
      low,
      close,
      volume,
      quote_volume: (volume * (high + low + close)) / 3,
      trade_count: 100,
      taker_buy_volume: volume * rnd(),
      taker_buy_quote_volume: null,
      is_closed: true,
      event_time: null,
      base: 'BTC',
      quote: 'USDT',
      ingest_time: t + MINUTE,
      source: 'ws',
      quality_flags: 0,
    });
  }
  return b.build();
}

/** args: { days } → rows, features. */
export const year: TaskFn = async (args, probe) => {
  const { days } = args as { days: number };
  const bars = syntheticSilver1m(YEAR_START, days);
  probe.ready();
  const from = dayStart(YEAR_START);
  const g = await probe.time(() => computeFeatureRange({ klines1m: bars }, from, from + days * 1440 * MINUTE));
  return { rows: g.length, features: FEATURES.length, dataOk: g.bool('data_ok').filter(Boolean).length };
};

function coreInputs(days: number) {
  const bars = syntheticSilver1m(YEAR_START, days);
  return (['1m', '5m', '15m'] as const).map((tf) => barSeries(bars, tf));
}

/** Ours: the 8 fixed core indicators on 1m, 5m and 15m bars (Bollinger by fresh windows, as Gold does). */
export const oursCore: TaskFn = async (args, probe) => {
  const series = coreInputs((args as { days: number }).days);
  probe.ready();
  let checksum = 0;
  await probe.time(() => {
    for (const s of series) {
      const mid = windowMean(s.close, 20);
      const outs = [
        rsi(s.close, 14),
        ...Object.values(macd(s.close)),
        mid,
        windowStd(s.close, 20, mid),
        atr(s.high, s.low, s.close, 14),
      ];
      for (const o of outs) checksum += o[o.length - 1];
    }
  });
  return { checksum };
};

/** TA-Lib C through npm talib: RSI, MACD, BBANDS, ATR on the same bars. */
export const talibCore: TaskFn = async (args, probe) => {
  const req = createRequire(path.join(process.cwd(), 'package.json'));
  const talib = req('talib') as { execute(o: Record<string, unknown>): { result: Record<string, number[]> } };
  const series = coreInputs((args as { days: number }).days).map((s) => ({
    high: Array.from(s.high),
    low: Array.from(s.low),
    close: Array.from(s.close),
  }));
  probe.ready();
  let checksum = 0;
  await probe.time(() => {
    for (const s of series) {
      const end = s.close.length - 1;
      const run = (name: string, o: Record<string, unknown>) => {
        const r = talib.execute({ name, startIdx: 0, endIdx: end, ...o }).result;
        for (const v of Object.values(r)) checksum += v[v.length - 1];
      };
      run('RSI', { inReal: s.close, optInTimePeriod: 14 });
      run('MACD', { inReal: s.close, optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
      run('BBANDS', { inReal: s.close, optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 });
      run('ATR', { high: s.high, low: s.low, close: s.close, optInTimePeriod: 14 });
    }
  });
  return { checksum };
};

export const DAY = '2024-03-15';
export const EXCHANGE = 'binance';
export const SYMBOL = 'BTCUSDT';

const meta = (t: number): Row => ({ base: 'BTC', quote: 'USDT', ingest_time: t, source: 'ws', quality_flags: 0 });

/**
 * A day of Silver book_top10, one snapshot every 100 ms around a slow sine. `persistent`: prices on a 0.01 grid and
 * two sizes changed per snapshot, as a real book mostly repeats itself between snapshots (and compresses so);
 * otherwise every size is fresh noise.
 */
export async function writeSilverBook(store: ObjectStore, dt: string, rnd = seededRandom(5), persistent = false): Promise<void> {
  const book = new TableBuilder(dataset('silver', 'book_top10'), 864_000);
  const t0 = dayStart(dt);
  const sizes = persistent ? Array.from({ length: 20 }, () => rnd() * 5) : [];
  for (let k = 0; k < 864_000; k++) {
    const t = t0 + k * 100;
    const wave = 40_000 + 200 * Math.sin(t / 3.6e6);
    const mid = persistent ? Math.round(wave * 100) / 100 : wave;
    const r: Row = { event_time: t, last_update_id: k, ...meta(t) };
    if (persistent) for (let c = 0; c < 2; c++) sizes[Math.floor(rnd() * 20)] = Math.round(rnd() * 5e5) / 1e5;
    for (let l = 1; l <= 10; l++) {
      r[`bid_px_${l}`] = mid - 0.01 * l;
      r[`ask_px_${l}`] = mid + 0.01 * l;
      r[`bid_sz_${l}`] = persistent ? sizes[l - 1] : rnd() * 5;
      r[`ask_sz_${l}`] = persistent ? sizes[9 + l] : rnd() * 5;
    }
    book.push(r);
  }
  await putTable(
    store,
    partitionFileKey(dataset('silver', 'book_top10'), { exchange: EXCHANGE, symbol: SYMBOL, dt }),
    book.build(),
  );
}

/** The mapped perpetual's Silver funding (every 3 s), open interest (every minute) and liquidations for `dates`. */
export async function writeSilverPerp(store: ObjectStore, dates: readonly string[], rnd = seededRandom(6)): Promise<void> {
  const perp = { exchange: 'binance-futures', symbol: SYMBOL };
  for (const dt of dates) {
    const s = dayStart(dt);
    const funding: Row[] = [];
    const oi: Row[] = [];
    const liq: Row[] = [];
    for (let t = s; t < s + 86_400_000; t += 3_000) {
      funding.push({
        event_time: t,
        mark_price: 40_000,
        index_price: 39_990,
        funding_rate: 0.0001,
        next_funding_time: null,
        ...meta(t),
      });
    }
    for (let t = s; t < s + 86_400_000; t += 60_000) {
      oi.push({ event_time: t, open_interest: 80_000 + rnd() * 100, open_interest_value: null, ...meta(t) });
    }
    for (let t = s; t < s + 86_400_000; t += 120_000) {
      const side = rnd() < 0.5 ? 'BUY' : 'SELL';
      liq.push({
        event_time: t,
        side,
        price: 40_000,
        qty: 0.1,
        avg_price: 40_000,
        status: 'FILLED',
        filled_qty: 0.1,
        ...meta(t),
      });
    }
    for (const [name, rows] of [
      ['funding', funding],
      ['open_interest', oi],
      ['liquidations', liq],
    ] as const) {
      await putTable(
        store,
        partitionFileKey(dataset('silver', name), { ...perp, dt }),
        Table.fromRows(dataset('silver', name), rows),
      );
    }
  }
}

/** args: { root } → writes 13 days of Silver 1m (+1d), a day of 100 ms book_top10 and the perpetual's events. */
export const lakeSetup: TaskFn = async (args) => {
  const { root } = args as { root: string };
  const store = new LocalObjectStore(root);
  const first = addDays(DAY, -12);
  const bars = syntheticSilver1m(first, 14);
  const open = bars.num('open_time');
  for (const dt of dateRange(first, addDays(DAY, 1))) {
    const s = dayStart(dt);
    const idx = Array.from(open.keys()).filter((i) => open[i] >= s && open[i] < s + 86_400_000);
    await putTable(
      store,
      partitionFileKey(SILVER_KLINES, { timeframe: '1m', exchange: EXCHANGE, symbol: SYMBOL, dt }),
      bars.take(idx),
    );
  }
  const rnd = seededRandom(5);
  await writeSilverBook(store, DAY, rnd);
  await writeSilverPerp(store, [addDays(DAY, -1), DAY], rnd);
  return { days: 14, book: 864_000 };
};

/** args: { root } → runGold for the day: features (with warm-up, book, perpetual) + 6 OHLCV tables. */
export const goldDay: TaskFn = async (args, probe) => {
  const store = new LocalObjectStore((args as { root: string }).root);
  probe.ready();
  const r = await probe.time(() => runGold({ store, dt: DAY, exchange: EXCHANGE, symbol: SYMBOL }));
  return { rows: r[0]?.rows ?? 0, dataOk: r[0]?.dataOkRows ?? 0, invalid: r[0]?.validity.invalid ?? -1 };
};
