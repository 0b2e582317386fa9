import fs from 'node:fs';
import path from 'node:path';
import { latestClosedIndex } from '../../lib/gold/align';
import { barSeries } from '../../lib/gold/bar-series';
import { deriveBars } from '../../lib/silver/derive-klines';
import { featureCatalogueMarkdown } from '../../lib/gold/catalogue-markdown';
import { expectedInputs, GoldInput } from '../../lib/gold/data-ok';
import { BAR_GROUPS, FEATURE_TIMEFRAMES, FEATURES, featureColumns, LABELS } from '../../lib/gold/feature-columns';
import { goldFeatureColumnsSource } from '../../lib/gold/feature-columns-source';
import { FEATURE_CATEGORIES } from '../../lib/gold/feature-spec';
import { WARMUP_DAYS, computeFeatureRange, computeFeatures } from '../../lib/gold/features';
import type { GoldInputs } from '../../lib/gold/inputs';
import { perpetualFor } from '../../lib/gold/perp-mapping';
import { validateFeatures } from '../../lib/gold/validity';
import { GOLD_FEATURE_COLUMNS } from '../../lib/schema/gold-feature-columns';
import { dataset } from '../../lib/schema/registry';
import { QualityFlag } from '../../lib/schema/quality-flags';
import type { Row } from '../../lib/schema/types';
import { addDays, dateRange, dayStart } from '../../lib/storage/lake-paths';
import { Table } from '../../lib/table/table';
import { eventInputs, silver1m } from './helpers/gold-inputs';

const FIRST = '2024-03-01';
const LAST = '2024-03-20';
const DT = '2024-03-16';
/** 1m bars for the whole range with a 3-minute hole and a single (interpolated) missing minute on DT. */
const ALL_1M = silver1m(FIRST, LAST, { [DT]: [300, 301, 302, 700] });
/** A Binance spot market whose book is collected from DT and its perpetual from the day before. */
const EVENTS: Partial<GoldInputs> = {
  ...eventInputs([addDays(DT, -1), DT]),
  expected: expectedInputs('binance', 'BTCUSDT', { book: DT, funding: addDays(DT, -1), openInterest: addDays(DT, -1) }),
};
const inputsFor = (dt: string, extra: Partial<GoldInputs> = {}): GoldInputs => {
  const open = ALL_1M.num('open_time');
  const from = dayStart(addDays(dt, -WARMUP_DAYS));
  const to = dayStart(addDays(dt, 2));
  const keep = Array.from(open.keys()).filter((i) => open[i] >= from && open[i] < to);
  return { klines1m: ALL_1M.take(keep), ...extra };
};
const NON_LABEL = [
  ...FEATURES.map((f) => f.name),
  'open',
  'high',
  'low',
  'close',
  'volume',
  'quality_flags',
  'inputs',
  'data_ok',
];

describe('Gold feature catalogue', () => {
  it('has 100+ uniquely named features in the seven categories, the fixed core names for each timeframe (docs/features.md)', () => {
    expect(FEATURES.length).toBeGreaterThanOrEqual(100);
    const names = [...FEATURES.map((f) => f.name), ...LABELS.map((l) => l.name)];
    expect(new Set(names).size).toBe(names.length);
    for (const c of FEATURE_CATEGORIES) expect(FEATURES.filter((f) => f.category === c).length).toBeGreaterThan(0);
    for (const tf of FEATURE_TIMEFRAMES) {
      for (const stem of ['rsi_14', 'macd', 'macd_signal', 'macd_hist', 'bb_upper_20', 'bb_middle_20', 'bb_lower_20', 'atr_14']) {
        expect(names).toContain(`${stem}_${tf}`);
      }
    }
    expect(LABELS.every((l) => l.name.startsWith('label_'))).toBe(true);
    expect(FEATURES.some((f) => f.name.startsWith('label_'))).toBe(false);
  });

  it('computes exactly the catalogued names in every bar group and timeframe', () => {
    for (const tf of FEATURE_TIMEFRAMES) {
      const s = barSeries(ALL_1M, tf);
      for (const g of BAR_GROUPS) {
        const out = g.compute(s, tf);
        expect(Object.keys(out).sort()).toEqual(
          g
            .specs(tf)
            .map((f) => f.name)
            .sort(),
        );
        for (const v of Object.values(out)) expect(v.length).toBe(s.length);
      }
    }
  });

  it('lib/schema/gold-feature-columns.ts is the generated column list (npm run gen:gold-columns)', () => {
    const file = fs.readFileSync(path.join(__dirname, '../../lib/schema/gold-feature-columns.ts'), 'utf8');
    expect(file).toBe(goldFeatureColumnsSource());
    expect(GOLD_FEATURE_COLUMNS).toEqual(featureColumns());
  });

  it('docs/features.md is the generated catalogue', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/features.md'), 'utf8');
    expect(doc).toBe(featureCatalogueMarkdown().replace(/\n?$/, '\n'));
  });

  it('maps markets to their USD-M perpetual', () => {
    expect(perpetualFor('binance-futures', 'ETHUSDT')).toEqual({ exchange: 'binance-futures', symbol: 'ETHUSDT' });
    expect(perpetualFor('binance', 'BTCUSDT')).toEqual({ exchange: 'binance-futures', symbol: 'BTCUSDT' });
    expect(perpetualFor('kraken', 'XBT/USD')).toEqual({ exchange: 'binance-futures', symbol: 'BTCUSDT' });
    expect(perpetualFor('binanceus', 'USDTUSD')).toBeNull();
  });
});

describe('Gold features_1m', () => {
  const gold = computeFeatures(inputsFor(DT, EVENTS), DT);

  it('aligns each timeframe to its latest candle closed at or before ts (docs/features.md#time-alignment example)', () => {
    const t = (hhmm: string) => Date.parse(`2024-03-01T${hhmm}:00Z`);
    const opens5 = Float64Array.from({ length: 288 }, (_, i) => dayStart('2024-03-01') + i * 300_000);
    const opens15 = Float64Array.from({ length: 96 }, (_, i) => dayStart('2024-03-01') + i * 900_000);
    const ts = Float64Array.of(t('14:37'), t('14:35'), t('14:45'));
    expect(Array.from(latestClosedIndex(opens5, 300_000, ts), (i) => opens5[i] + 300_000)).toEqual([
      t('14:35'),
      t('14:35'),
      t('14:45'),
    ]);
    expect(Array.from(latestClosedIndex(opens15, 900_000, ts), (i) => opens15[i] + 900_000)).toEqual([
      t('14:30'),
      t('14:30'),
      t('14:45'),
    ]);
    expect(latestClosedIndex(opens5, 300_000, Float64Array.of(dayStart('2024-03-01') + 60_000))[0]).toBe(-1);
  });

  it('uses at 14:37 the 1m candle closing 14:37, the 5m closing 14:35 and the 15m closing 14:30', () => {
    const m = 14 * 60 + 36; // the row whose 1m candle opens 14:36
    expect(gold.num('ts')[m]).toBe(dayStart(DT) + (14 * 60 + 37) * 60_000);
    const at = (tf: '1m' | '5m' | '15m', closeHHMM: string) => {
      const s = barSeries(ALL_1M, tf);
      const close = Date.parse(`${DT}T${closeHHMM}:00Z`);
      const j = Array.from(s.openTime).indexOf(close - s.intervalMs);
      return BAR_GROUPS[0].compute(s, tf)[`rsi_14_${tf}`][j];
    };
    expect(gold.num('rsi_14_1m')[m]).toBe(at('1m', '14:37'));
    expect(gold.num('rsi_14_5m')[m]).toBe(at('5m', '14:35'));
    expect(gold.num('rsi_14_15m')[m]).toBe(at('15m', '14:30'));
  });

  it('has one row per minute, ts at the 1m close, every catalogued feature filled by the end of the day', () => {
    expect(gold.length).toBe(1440);
    expect(gold.num('ts')[0]).toBe(dayStart(DT) + 60_000);
    expect(gold.num('ts')[1439]).toBe(dayStart(addDays(DT, 1)));
    // Only the 30- and 200-day SMAs cannot warm up on the 13 days of 1m bars given.
    const empty = FEATURES.filter((f) => Number.isNaN(gold.num(f.name)[1439])).map((f) => f.name);
    expect(empty).toEqual(['sma_30_1d', 'dist_sma_30_1d', 'sma_200_1d', 'dist_sma_200_1d']);
    expect(gold.num('sma_7_1d')[1439]).not.toBeNaN();
  });

  it('takes daily context from completed days only, also when given daily bars that reach past the day', () => {
    const daily = Table.fromRows(dataset('silver', 'klines'), deriveBars(ALL_1M, '1d'));
    const g = computeFeatures(inputsFor(DT, { daily }), DT);
    const closes = daily.num('close');
    const d = (dayStart(DT) - dayStart(FIRST)) / 86_400_000;
    const mean = (from: number, to: number) => {
      let s = 0;
      for (let k = from; k < to; k++) s += closes[k];
      return s / (to - from);
    };
    expect(g.num('sma_7_1d')[0]).toBeCloseTo(mean(d - 7, d), 12);
    // The day's own candle closes exactly at the last row's ts, so that row may (and does) use it.
    expect(g.num('sma_7_1d')[1439]).toBeCloseTo(mean(d - 6, d + 1), 12);
    expect(g.num('sma_30_1d')[0]).toBeNaN(); // 15 completed days
  });

  it('keeps every value finite and inside its documented range, and counts that', () => {
    const v = validateFeatures(gold);
    expect(v.invalid).toBe(0);
    expect(v.checked).toBe(1440 * FEATURES.length);
    // Nulls: the missing minutes, the 200-day SMA, and nothing else in large numbers.
    expect(v.byFeature.sma_200_1d.nulls).toBe(1440);
    expect(v.byFeature.rsi_14_1m.nulls).toBe(3);
  });

  it('computes order-book features from the snapshots inside each minute', () => {
    const book = EVENTS.book!;
    const m = 600;
    const from = dayStart(DT) + m * 60_000;
    const time = book.num('event_time');
    const inMinute = Array.from(time.keys()).filter((i) => time[i] >= from && time[i] < from + 60_000);
    expect(gold.num('book_snapshots_1m')[m]).toBe(inMinute.length);
    const imb = (i: number, k: number) => {
      let b = 0;
      let a = 0;
      for (let l = 1; l <= k; l++) {
        b += book.num(`bid_sz_${l}`)[i];
        a += book.num(`ask_sz_${l}`)[i];
      }
      return (b - a) / (b + a);
    };
    const mean = inMinute.reduce((s, i) => s + imb(i, 3), 0) / inMinute.length;
    expect(gold.num('book_imbalance_l3_1m')[m]).toBeCloseTo(mean, 12);
    const last = inMinute[inMinute.length - 1];
    expect(gold.num('book_pressure_l5_1m')[m]).toBeCloseTo(imb(last, 5) - imb(inMinute[0], 5), 12);
    const bidSizes = Array.from({ length: 10 }, (_, l) => book.num(`bid_sz_${l + 1}`)[last]);
    expect(gold.num('book_whale_bid_qty_1m')[m]).toBe(Math.max(...bidSizes));
    const mid = (book.num('bid_px_1')[last] + book.num('ask_px_1')[last]) / 2;
    const level = bidSizes.indexOf(Math.max(...bidSizes)) + 1;
    expect(gold.num('book_whale_bid_dist_bps_1m')[m]).toBeCloseTo(((mid - book.num(`bid_px_${level}`)[last]) / mid) * 1e4, 9);
    expect(gold.num('book_spread_bps_1m')[m]).toBeGreaterThan(0);
  });

  it('computes perpetual features from events strictly before ts', () => {
    const m = 720;
    const ts = gold.num('ts')[m];
    const f = EVENTS.funding!;
    const ft = f.num('event_time');
    const before = (t: number) => {
      let j = -1;
      for (let i = 0; i < f.length; i++) if (ft[i] < t) j = i;
      return j;
    };
    const i = before(ts);
    expect(gold.num('funding_rate')[m]).toBe(f.num('funding_rate')[i]);
    expect(gold.num('funding_rate_change_1h')[m]).toBe(f.num('funding_rate')[i] - f.num('funding_rate')[before(ts - 3_600_000)]);
    const liq = EVENTS.liquidations!;
    const lt = liq.num('event_time');
    const inHour = Array.from(lt.keys()).filter((k) => lt[k] >= ts - 3_600_000 && lt[k] < ts);
    expect(gold.num('liq_count_1h')[m]).toBe(inHour.length);
    expect(gold.num('liq_notional_1h')[m]).toBeCloseTo(inHour.length * 100.5 * 2, 9);
    const oi = EVENTS.openInterest!;
    const ot = oi.num('event_time');
    const oiBefore = (t: number) => {
      let j = -1;
      for (let k = 0; k < oi.length; k++) if (ot[k] < t) j = k;
      return oi.num('open_interest')[j];
    };
    expect(gold.num('oi_change_pct_5m')[m]).toBeCloseTo((oiBefore(ts) / oiBefore(ts - 300_000) - 1) * 100, 12);
  });

  it('labels are forward log returns and null where the future bar is missing', () => {
    const close = gold.num('close');
    expect(gold.num('label_ret_5m')[100]).toBeCloseTo(Math.log(close[105] / close[100]), 15);
    expect(gold.num('label_ret_1m')[299]).toBeNaN(); // 300 is missing
    // The last hour's 60-minute labels read the next day's bars.
    expect(gold.num('label_ret_60m')[1430]).not.toBeNaN();
  });

  it('sets data_ok false where the minute is missing, its inputs are flagged, or the book has no snapshot in it', () => {
    const ok = gold.bool('data_ok');
    const flags = gold.num('quality_flags');
    const inputs = gold.num('inputs');
    expect(ok[300]).toBe(false); // missing minute (3-minute gap): no bar, features null
    expect(gold.num('close')[300]).toBeNaN();
    expect(gold.num('rsi_14_1m')[300]).toBeNaN();
    expect(inputs[300] & GoldInput.KLINE_1M).toBe(0);
    expect(ok[700]).toBe(false); // single missing minute, interpolated
    expect(flags[700] & QualityFlag.FILLED).toBeTruthy();
    expect(inputs[700] & GoldInput.KLINE_1M).toBe(0);
    expect(ok[1000]).toBe(true);
    expect(inputs[1000]).toBe(255);
    // Drop the book snapshots of one minute: that minute is no longer data_ok.
    const book = EVENTS.book!;
    const t = book.num('event_time');
    const m = 1000;
    const keep = Array.from(t.keys()).filter(
      (i) => !(t[i] >= dayStart(DT) + m * 60_000 && t[i] < dayStart(DT) + (m + 1) * 60_000),
    );
    const g2 = computeFeatures(inputsFor(DT, { ...EVENTS, book: book.take(keep) }), DT);
    expect(g2.bool('data_ok')[m]).toBe(false);
    expect(g2.num('book_imbalance_l1_1m')[m]).toBeNaN();
    expect(g2.num('inputs')[m]).toBe(255 & ~GoldInput.BOOK);
    expect(g2.bool('data_ok')[m + 1]).toBe(true);
    expect(ok.filter(Boolean).length).toBeGreaterThan(1400);
  });

  it('never looks ahead: changing every input after some ts changes no non-label column at or before it', () => {
    const cutTs = dayStart(DT) + 13 * 3_600_000 + 37 * 60_000; // 13:37
    const inputs = inputsFor(DT, EVENTS);
    const after = (t: unknown) => (t as number) > cutTs;
    const change = (t: Table, time: string, f: (r: Row) => Row) =>
      Table.fromRows(
        t.spec,
        t.rows().map((r) => (after(r[time]) ? f(r) : r)),
      );
    const changed: GoldInputs = {
      // A 1m bar is "after" ts once it closes after it.
      klines1m: change(inputs.klines1m, 'close_time', (r) => ({
        ...r,
        close: (r.close as number) * 3,
        open: (r.open as number) * 0.5,
        high: (r.high as number) * 4,
        low: (r.low as number) * 0.25,
        volume: 1e6,
        quote_volume: 1,
        taker_buy_volume: 0,
      })),
      // ... and the minute after 13:40 loses its snapshots, which `inputs` and data_ok must not see before it.
      book: (() => {
        const t = change(EVENTS.book!, 'event_time', (r) => ({ ...r, bid_sz_1: 1e6, ask_px_1: 1e3, ask_sz_7: 1e5 }));
        const time = t.num('event_time');
        const gone = cutTs + 3 * 60_000;
        return t.take(Array.from(time.keys()).filter((i) => !(time[i] >= gone && time[i] < gone + 60_000)));
      })(),
      funding: change(EVENTS.funding!, 'event_time', (r) => ({ ...r, funding_rate: 0.5, mark_price: 1, index_price: 2 })),
      openInterest: change(EVENTS.openInterest!, 'event_time', (r) => ({ ...r, open_interest: 1 })),
      liquidations: Table.fromRows(
        EVENTS.liquidations!.spec,
        [
          ...EVENTS.liquidations!.rows().map((r) => (after(r.event_time) ? { ...r, qty: 1e6, filled_qty: 1e6 } : r)),
          { ...EVENTS.liquidations!.row(0), event_time: cutTs + 1 },
        ].sort((a, b) => (a.event_time as number) - (b.event_time as number)),
      ),
      expected: EVENTS.expected,
    };
    const before = computeFeatures(inputs, DT);
    const later = computeFeatures(changed, DT);
    const ts = before.num('ts');
    const changedAfter = new Set<string>();
    for (const col of NON_LABEL) {
      const a = before.columns[col];
      const b = later.columns[col];
      for (let i = 0; i < before.length; i++) {
        const same = Object.is(a[i], b[i]);
        if (ts[i] <= cutTs && !same) throw new Error(`${col} at ${new Date(ts[i]).toISOString()} changed: ${a[i]} -> ${b[i]}`);
        if (ts[i] > cutTs && !same) changedAfter.add(col);
      }
    }
    // The change reaches every category after the cut (so the check above had something to catch).
    for (const c of FEATURE_CATEGORIES.filter((x) => x !== 'daily_context')) {
      expect([c, FEATURES.some((f) => f.category === c && changedAfter.has(f.name))]).toEqual([c, true]);
    }
    expect([...changedAfter].filter((c) => c === 'inputs' || c === 'data_ok')).toEqual(['inputs', 'data_ok']);
    // Labels are the columns that may (and do) look ahead.
    expect(Object.is(before.num('label_ret_60m')[13 * 60], later.num('label_ret_60m')[13 * 60])).toBe(false);
  });

  it('gives a day bit-identical values whether built from its warm-up window or in one pass over all history', () => {
    const onePass = computeFeatureRange({ klines1m: ALL_1M }, dayStart(FIRST), dayStart(addDays(LAST, 1)));
    for (const dt of [addDays(FIRST, WARMUP_DAYS + 1), DT, LAST]) {
      const daily = computeFeatures(inputsFor(dt), dt);
      const offset = (dayStart(dt) - dayStart(FIRST)) / 60_000;
      for (const name of [...FEATURES.map((f) => f.name), ...LABELS.map((l) => l.name), 'inputs', 'data_ok']) {
        const a = daily.columns[name];
        const b = onePass.columns[name];
        for (let i = 0; i < 1440; i++) {
          if (!Object.is(a[i], b[offset + i]))
            throw new Error(`${name} ${dt} row ${i}: daily ${a[i]} vs one pass ${b[offset + i]}`);
        }
      }
    }
  });

  it('schema: every feature and label is a nullable double column of gold/features_1m', () => {
    const spec = dataset('gold', 'features_1m');
    for (const n of [...FEATURES.map((f) => f.name), ...LABELS.map((l) => l.name)]) {
      expect(spec.columns.find((c) => c.name === n)).toMatchObject({ type: 'double', nullable: true });
    }
    expect(dateRange(FIRST, LAST)).toHaveLength(20);
  });
});
