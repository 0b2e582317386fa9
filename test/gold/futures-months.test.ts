import fs from 'node:fs';
import { expectedInputs, GoldInput } from '../../lib/gold/data-ok';
import { FEATURES, LABELS } from '../../lib/gold/feature-columns';
import { WARMUP_DAYS, computeFeatureRange, computeFeatures } from '../../lib/gold/features';
import { validateFeatures } from '../../lib/gold/validity';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { deriveBars } from '../../lib/silver/derive-klines';
import { addDays, dateOf, dayStart } from '../../lib/storage/lake-paths';
import { Table } from '../../lib/table/table';
import { testdataPath } from '../helpers/testdata';

/**
 * The outage months of the shared futures archives through Silver and Gold in memory: every day built from its
 * warm-up window equals the one-pass build of the month, and the placeholder bars Silver flags EXCHANGE_OUTAGE keep
 * their rows (and the bars containing them) out of data_ok without breaking a feature's validity. The archives
 * hold klines alone, so no row of these perpetuals is data_ok: `inputs` shows the candles and no perpetual input.
 */

function silverMonth(file: string): { silver: Table; days: string[] } {
  const lines = fs
    .readFileSync(testdataPath(`binance_um_futures_klines_1m/${file}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const rows: Row[] = lines.map((l) => {
    const f = l.split(',');
    const open = Number(f[0]);
    return {
      open_time: open,
      close_time: Number(f[6]),
      open: Number(f[1]),
      high: Number(f[2]),
      low: Number(f[3]),
      close: Number(f[4]),
      volume: Number(f[5]),
      quote_volume: Number(f[7]),
      trade_count: Number(f[8]),
      taker_buy_volume: Number(f[9]),
      taker_buy_quote_volume: Number(f[10]),
      is_closed: true,
      event_time: null,
      base: 'X',
      quote: 'USDT',
      ingest_time: open + 60_000,
      source: 'archive',
    };
  });
  const bronze = Table.fromRows(dataset('bronze', 'klines'), rows);
  const days = [...new Set(rows.map((r) => dateOf(r.open_time as number)))].sort();
  return {
    silver: Table.concat(
      dataset('silver', 'klines'),
      days.map((dt) => cleanKlines1m(bronze, dt, 0).silver),
    ),
    days,
  };
}

const CANDLES = GoldInput.KLINE_1M | GoldInput.KLINE_5M | GoldInput.KLINE_15M;
const T = 120_000;

describe.each([
  ['AVAXUSDT-1m-2023-09', '2023-09-12'],
  ['FILUSDT-1m-2024-10', '2024-10-28'],
])('%s through Silver and Gold', (file, outageDay) => {
  const { silver, days } = silverMonth(file);
  // Daily context reads Silver's 1d bars (the Gold job lists them over 200 days), the same for both builds.
  const daily = Table.fromRows(dataset('silver', 'klines'), deriveBars(silver, '1d'));
  // What the Gold job decides for a perpetual whose lake holds no funding, open interest or book.
  const expected = expectedInputs('binance-futures', file.split('-')[0]);
  const [from, to] = [dayStart(days[0]), dayStart(addDays(days[days.length - 1], 1))];
  const onePass = computeFeatureRange({ klines1m: silver, daily, expected }, from, to);

  it(
    'gives every day with a full warm-up bit-identical features, labels and data_ok to the one-pass build',
    () => {
      const open = silver.num('open_time');
      const differences: string[] = [];
      for (const dt of days.slice(WARMUP_DAYS)) {
        const from = dayStart(addDays(dt, -WARMUP_DAYS));
        const to = dayStart(addDays(dt, 2));
        const window = silver.take(Array.from(open.keys()).filter((i) => open[i] >= from && open[i] < to));
        const built = computeFeatures({ klines1m: window, daily, expected }, dt);
        const offset = (dayStart(dt) - dayStart(days[0])) / 60_000;
        for (const name of [...FEATURES.map((f) => f.name), ...LABELS.map((l) => l.name), 'inputs', 'data_ok']) {
          const a = built.columns[name];
          const b = onePass.columns[name];
          for (let i = 0; i < 1440; i++)
            if (!Object.is(a[i], b[offset + i])) differences.push(`${dt} ${name} row ${i}: ${a[i]} vs ${b[offset + i]}`);
        }
      }
      expect(differences.slice(0, 5)).toEqual([]);
    },
    T,
  );

  it(
    'keeps outage rows out of data_ok (a candle bit is clear) and every feature value valid',
    () => {
      const flags = onePass.num('quality_flags');
      const ok = onePass.bool('data_ok');
      const inputs = onePass.num('inputs');
      const offset = (dayStart(outageDay) - dayStart(days[0])) / 60_000;
      const outageRows = Array.from({ length: 1440 }, (_, m) => offset + m).filter((i) => flags[i] & QualityFlag.EXCHANGE_OUTAGE);
      expect(outageRows.length).toBeGreaterThan(10);
      // A row's flags are those of every bar it uses: its own 1m, or the 5m or 15m bar holding an outage minute.
      expect(outageRows.every((i) => ok[i] === false && (inputs[i] & CANDLES) !== CANDLES)).toBe(true);
      const v = validateFeatures(onePass);
      expect({ invalid: v.invalid, unexpectedNulls: v.unexpectedNulls }).toEqual({ invalid: 0, unexpectedNulls: 0 });
    },
    T,
  );

  it(
    'gives no data_ok row: the perpetual needs funding, open interest and liquidations, and inputs says they are missing',
    () => {
      const ok = onePass.bool('data_ok');
      const inputs = onePass.num('inputs');
      const perp = GoldInput.FUNDING | GoldInput.OPEN_INTEREST | GoldInput.LIQUIDATIONS;
      expect(ok.filter(Boolean)).toHaveLength(0);
      expect(Array.from(inputs).filter((x) => x & perp)).toHaveLength(0);
      expect(['funding_rate', 'oi_change_pct_5m', 'liq_count_1h'].map((c) => onePass.num(c).every(Number.isNaN))).toEqual([
        true,
        true,
        true,
      ]);
      // From the second day on nearly every row has its candles and the last day's bar: 15 = KLINE_1M|5M|15M|DAILY.
      const later = Array.from(inputs.subarray(1440));
      expect(later.filter((x) => x === (CANDLES | GoldInput.DAILY)).length).toBeGreaterThan(later.length * 0.99);
      // Counting the candles alone, the same rows would be data_ok after the warm-up, as the old rule had it.
      const warmed = computeFeatureRange({ klines1m: silver, daily }, from, to);
      expect(Array.from(warmed.num('inputs'))).toEqual(Array.from(inputs));
      expect(warmed.bool('data_ok').filter(Boolean).length).toBe({ AVAXUSDT: 42_396, FILUSDT: 43_749 }[file.split('-')[0]]);
    },
    T,
  );
});
