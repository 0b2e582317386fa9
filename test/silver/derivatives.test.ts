import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateTable } from '../../lib/schema/validate';
import { cleanFunding, cleanLiquidations, cleanOpenInterest } from '../../lib/silver/derivatives';
import { Table } from '../../lib/table/table';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const H = 3_600_000;
const NOW = Date.parse('2024-05-02T01:00:00Z');
const meta = (t: number, over: Row): Row => ({ base: 'BTC', quote: 'USDT', ingest_time: t + 5, source: 'ws', ...over });

const funding = (t: number, over: Row = {}): Row =>
  meta(t, {
    event_time: t,
    mark_price: 60_000,
    index_price: 59_990,
    funding_rate: 0.0001,
    next_funding_time: (Math.floor((t - T0) / (8 * H)) + 1) * 8 * H + T0,
    ...over,
  });
const oi = (t: number, over: Row = {}): Row =>
  meta(t, { event_time: t, open_interest: 80_000, open_interest_value: 4.8e9, source: 'rest', ...over });
const liq = (t: number, over: Row = {}): Row =>
  meta(t, {
    event_time: t,
    side: 'SELL',
    price: 59_000,
    qty: 0.5,
    avg_price: 59_010,
    status: 'FILLED',
    filled_qty: 0.5,
    ...over,
  });
const fTable = (rows: Row[]) => Table.fromRows(dataset('bronze', 'funding'), rows);
const oTable = (rows: Row[]) => Table.fromRows(dataset('bronze', 'open_interest'), rows);
const lTable = (rows: Row[]) => Table.fromRows(dataset('bronze', 'liquidations'), rows);

describe('Silver funding cleaning', () => {
  it('keeps a day of 1 s mark prices whole, valid for silver, and counts the settlements announced', () => {
    const rows = Array.from({ length: 86_400 }, (_, s) => funding(T0 + s * 1000));
    const r = cleanFunding(fTable([funding(T0 - 1000), ...rows]), DT, NOW);
    expect(r.stats).toEqual({
      rowsIn: 86_400,
      outsideDay: 1,
      rowsOut: 86_400,
      duplicates: 0,
      quarantined: 0,
      quarantinedByReason: {},
      flagged: {},
      settlements: 3,
    });
    expect(validateTable(r.silver).size).toBe(0);
    expect(r.silver.row(12_345)).toEqual({ ...rows[12_345], quality_flags: 0 });
  });

  it('dedupes by event time keeping the first copy received, sorts, and quarantines rates out of range', () => {
    const r = cleanFunding(
      fTable([
        funding(T0 + 3000),
        funding(T0 + 1000, { ingest_time: T0 + 1500, mark_price: 1 }),
        funding(T0 + 1000, { ingest_time: T0 + 1100, mark_price: 2 }),
        funding(T0 + 2000, { funding_rate: 1.5 }),
        funding(T0 + 2500, { funding_rate: -2 }),
        funding(T0 + 4000, { next_funding_time: null, source: 'rest' }),
      ]),
      DT,
      NOW,
    );
    expect(r.silver.rows().map((x) => [x.event_time, x.mark_price, x.quality_flags])).toEqual([
      [T0 + 1000, 2, 0],
      [T0 + 3000, 60_000, 0],
      [T0 + 4000, 60_000, QualityFlag.BACKFILLED],
    ]);
    expect(r.quarantine.rows().map((x) => [x.event_time, x.quarantine_reason, x.quarantined_at])).toEqual([
      [T0 + 2000, 'funding_rate=1.5 is above 1', NOW],
      [T0 + 2500, 'funding_rate=-2 is below -1', NOW],
    ]);
    expect(r.stats).toEqual({
      rowsIn: 6,
      outsideDay: 0,
      rowsOut: 3,
      duplicates: 1,
      quarantined: 2,
      flagged: { BACKFILLED: 1 },
      quarantinedByReason: { 'funding_rate is above 1': 1, 'funding_rate is below -1': 1 },
      settlements: 1,
    });
  });

  it('cleans an empty input to empty tables', () => {
    const r = cleanFunding(Table.empty(dataset('bronze', 'funding')), DT, NOW);
    expect([r.silver.length, r.quarantine.length, r.stats.settlements]).toEqual([0, 0, 0]);
  });
});

describe('Silver open interest cleaning', () => {
  it('dedupes by event time, quarantines negatives, reports readings and the largest interval', () => {
    const r = cleanOpenInterest(
      oTable([
        oi(T0 + 10 * 60_000),
        oi(T0),
        oi(T0 + 5 * 60_000, { ingest_time: T0 + 5 * 60_000 + 900, open_interest: 1 }),
        oi(T0 + 5 * 60_000, { open_interest: 2 }),
        oi(T0 + 15 * 60_000, { open_interest: -3 }),
        oi(T0 + 40 * 60_000, { open_interest_value: null }),
        oi(T0 + 24 * H),
      ]),
      DT,
      NOW,
    );
    expect(
      r.silver.rows().map((x) => [((x.event_time as number) - T0) / 60_000, x.open_interest, x.source, x.quality_flags]),
    ).toEqual([
      [0, 80_000, 'rest', 0],
      [5, 2, 'rest', 0],
      [10, 80_000, 'rest', 0],
      [40, 80_000, 'rest', 0],
    ]);
    expect(r.quarantine.rows().map((x) => x.quarantine_reason)).toEqual(['open_interest=-3 is below 0']);
    expect(r.stats).toEqual({
      rowsIn: 6,
      outsideDay: 1,
      rowsOut: 4,
      duplicates: 1,
      quarantined: 1,
      flagged: {},
      quarantinedByReason: { 'open_interest is below 0': 1 },
      readings: 4,
      firstReading: T0,
      lastReading: T0 + 40 * 60_000,
      maxIntervalMs: 30 * 60_000,
    });
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('has no interval with fewer than two readings, and cleans an empty input', () => {
    expect(cleanOpenInterest(oTable([oi(T0 + 7)]), DT, NOW).stats).toMatchObject({
      readings: 1,
      maxIntervalMs: null,
      firstReading: T0 + 7,
    });
    const r = cleanOpenInterest(oTable([]), DT, NOW);
    expect(r.stats).toMatchObject({ rowsIn: 0, readings: 0, maxIntervalMs: null, firstReading: null, lastReading: null });
    expect([r.silver.length, r.quarantine.length]).toEqual([0, 0]);
  });
});

describe('Silver liquidations cleaning', () => {
  it('dedupes on (event time, side, price, qty), keeps distinct orders of one instant, sorts', () => {
    const r = cleanLiquidations(
      lTable([
        liq(T0 + 2000),
        liq(T0 + 1000, { ingest_time: T0 + 1900, status: 'late copy' }),
        liq(T0 + 1000, { ingest_time: T0 + 1100 }),
        liq(T0 + 1000, { side: 'BUY' }),
        liq(T0 + 1000, { price: 59_001 }),
        liq(T0 + 1000, { qty: 0.6 }),
      ]),
      DT,
      NOW,
    );
    expect(r.silver.rows().map((x) => [x.event_time, x.side, x.price, x.qty, x.ingest_time])).toEqual([
      // One instant orders by price, then receive time.
      [T0 + 1000, 'BUY', 59_000, 0.5, T0 + 1005],
      [T0 + 1000, 'SELL', 59_000, 0.6, T0 + 1005],
      [T0 + 1000, 'SELL', 59_000, 0.5, T0 + 1100],
      [T0 + 1000, 'SELL', 59_001, 0.5, T0 + 1005],
      [T0 + 2000, 'SELL', 59_000, 0.5, T0 + 2005],
    ]);
    expect(r.stats).toMatchObject({ rowsIn: 6, rowsOut: 5, duplicates: 1, quarantined: 0 });
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('quarantines unknown sides and bad prices; flags REST rows', () => {
    const r = cleanLiquidations(
      lTable([liq(T0 + 1, { side: 'HOLD' }), liq(T0 + 2, { price: 0 }), liq(T0 + 3, { source: 'rest' })]),
      DT,
      NOW,
    );
    expect(r.quarantine.rows().map((x) => x.quarantine_reason)).toEqual([
      'side=HOLD is not one of BUY|SELL',
      'price=0 is not > 0',
    ]);
    expect(r.silver.num('quality_flags')[0]).toBe(QualityFlag.BACKFILLED);
    expect(r.stats).toEqual({
      rowsIn: 3,
      outsideDay: 0,
      rowsOut: 1,
      duplicates: 0,
      quarantined: 2,
      flagged: { BACKFILLED: 1 },
      quarantinedByReason: { 'side is not one of BUY|SELL': 1, 'price is not > 0': 1 },
    });
  });

  it('cleans an empty input to empty tables and refuses another dataset', () => {
    const r = cleanLiquidations(lTable([]), DT, NOW);
    expect([r.silver.length, r.quarantine.length, r.stats.rowsOut]).toEqual([0, 0, 0]);
    expect(() => cleanLiquidations(fTable([]), DT, NOW)).toThrow(/liquidations/);
    expect(() => cleanFunding(lTable([]), DT, NOW)).toThrow(/funding/);
  });
});
