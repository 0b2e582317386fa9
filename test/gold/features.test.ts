import { latestClosedIndex } from '../../lib/gold/align';
import { FEATURES } from '../../lib/gold/feature-columns';
import { WARMUP_DAYS, computeFeatures } from '../../lib/gold/features';
import { dataset } from '../../lib/schema/registry';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { addDays, dateRange, dayStart } from '../../lib/storage/lake-paths';
import { Table } from '../../lib/table/table';
import { bronzeDay } from '../helpers/klines';

const DAYS = dateRange('2024-03-01', '2024-03-12');
const silverSpec = dataset('silver', 'klines');

/** Silver 1m for each day: a noisy walk so indicators move, with a few holes. */
const silver = new Map(DAYS.map((dt, d) => {
  const bronze = bronzeDay(dt, d === 9 ? [300, 301, 302, 700] : [], (m) => {
    const x = d * 1440 + m;
    const close = 100 + 10 * Math.sin(x / 700) + 2 * Math.sin(x / 37) + 0.3 * Math.sin(x * 1.7);
    return { close, open: close - 0.1 * Math.cos(x), high: close + 0.5 + Math.abs(Math.sin(x)), low: close - 0.5 - Math.abs(Math.cos(x)) };
  });
  return [dt, cleanKlines1m(bronze, dt, 0).silver];
}));
const window = (from: string, to: string) => Table.concat(silverSpec, dateRange(from, to).map((dt) => silver.get(dt)!));

describe('Gold features_1m', () => {
  it('aligns each timeframe to its latest candle closed at or before ts (SPEC §6 example)', () => {
    const t = (hhmm: string) => Date.parse(`2024-03-01T${hhmm}:00Z`);
    const opens5 = Float64Array.from({ length: 288 }, (_, i) => dayStart('2024-03-01') + i * 300_000);
    const opens15 = Float64Array.from({ length: 96 }, (_, i) => dayStart('2024-03-01') + i * 900_000);
    const ts = Float64Array.of(t('14:37'), t('14:35'), t('14:45'));
    expect(Array.from(latestClosedIndex(opens5, 300_000, ts), (i) => opens5[i] + 300_000)).toEqual([t('14:35'), t('14:35'), t('14:45')]);
    expect(Array.from(latestClosedIndex(opens15, 900_000, ts), (i) => opens15[i] + 900_000)).toEqual([t('14:30'), t('14:30'), t('14:45')]);
    expect(latestClosedIndex(opens5, 300_000, Float64Array.of(dayStart('2024-03-01') + 60_000))[0]).toBe(-1);
  });

  it('has one row per minute of the day, ts at the 1m close, and every feature of the catalogue', () => {
    const g = computeFeatures(window('2024-03-01', '2024-03-03'), '2024-03-03');
    expect(g.length).toBe(1440);
    expect(g.num('ts')[0]).toBe(dayStart('2024-03-03') + 60_000);
    expect(g.num('ts')[1439]).toBe(dayStart('2024-03-04'));
    for (const f of FEATURES) expect(g.num(f.name)[1439]).not.toBeNaN();
  });

  it('never looks ahead: changing every input after some ts changes nothing at or before it', () => {
    const dt = '2024-03-08';
    const base = window(addDays(dt, -WARMUP_DAYS), dt);
    const cutTs = dayStart(dt) + 13 * 3_600_000 + 37 * 60_000; // 13:37
    const rows = base.rows().map((r) => ((r.open_time as number) + 60_000 > cutTs
      ? { ...r, close: (r.close as number) * 3, open: (r.open as number) * 0.5, high: (r.high as number) * 4, low: (r.low as number) * 0.25, volume: 1e6 }
      : r));
    const before = computeFeatures(base, dt);
    const after = computeFeatures(Table.fromRows(silverSpec, rows), dt);
    const ts = before.num('ts');
    let changedAfter = 0;
    for (const col of [...FEATURES.map((f) => f.name), 'close', 'data_ok']) {
      const a = before.columns[col];
      const b = after.columns[col];
      for (let i = 0; i < before.length; i++) {
        const same = Object.is(a[i], b[i]);
        if (ts[i] <= cutTs && !same) throw new Error(`${col} at ${new Date(ts[i]).toISOString()} changed`);
        if (ts[i] > cutTs && !same) changedAfter++;
      }
    }
    expect(changedAfter).toBeGreaterThan(1000);
  });

  it('gives a day bit-identical values whether built from its warm-up window or in one pass over all history', () => {
    const first = DAYS[0];
    for (const dt of ['2024-03-09', '2024-03-10', '2024-03-12']) {
      const daily = computeFeatures(window(addDays(dt, -WARMUP_DAYS), dt), dt);
      const onePass = computeFeatures(window(first, DAYS[DAYS.length - 1]), dt);
      for (const f of FEATURES) {
        const a = daily.num(f.name);
        const b = onePass.num(f.name);
        for (let i = 0; i < 1440; i++) {
          if (!Object.is(a[i], b[i])) throw new Error(`${f.name} ${dt} row ${i}: daily ${a[i]} vs one pass ${b[i]}`);
        }
      }
    }
  });

  it('sets data_ok false where the minute is missing or its inputs are flagged', () => {
    const dt = '2024-03-10';
    const g = computeFeatures(window(addDays(dt, -WARMUP_DAYS), dt), dt);
    const ok = g.bool('data_ok');
    const flags = g.num('quality_flags');
    expect(ok[300]).toBe(false); // missing minute (3-minute gap): no bar, features null
    expect(g.num('close')[300]).toBeNaN();
    expect(g.num('rsi_14_1m')[300]).toBeNaN();
    expect(ok[700]).toBe(false); // single missing minute, interpolated
    expect(flags[700] & QualityFlag.FILLED).toBeTruthy();
    expect(ok[1000]).toBe(true);
  });
});
