import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateTable } from '../../lib/schema/validate';
import { QUOTE_REASONS, cleanQuotes } from '../../lib/silver/quotes';
import { Table } from '../../lib/table/table';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const NOW = Date.parse('2024-05-02T01:00:00Z');
const spec = dataset('bronze', 'quotes');

const quote = (t: number, id: number | null, over: Row = {}): Row => ({
  event_time: t,
  update_id: id,
  bid_px: 100,
  bid_sz: 1,
  ask_px: 100.5,
  ask_sz: 2,
  base: 'BTC',
  quote: 'USDT',
  ingest_time: t + 5,
  source: 'ws',
  ...over,
});
const table = (rows: Row[]) => Table.fromRows(spec, rows);

describe('Silver quotes cleaning', () => {
  it('keeps a clean stream whole and sorted, valid for silver, unflagged', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => quote(T0 + 3 * i + 7, 1000 + i, { bid_px: 100 + (i % 7) / 100 }));
    const shuffled = rows.map((_, i) => rows[(i * 761) % rows.length]);
    const r = cleanQuotes(table(shuffled), DT, NOW);
    expect(r.stats).toEqual({
      rowsIn: 2000,
      outsideDay: 0,
      rowsOut: 2000,
      duplicates: 0,
      quarantined: 0,
      quarantinedByReason: {},
      flagged: {},
      sequenceBackwards: 0,
    });
    expect(r.silver.rows()).toEqual(rows.map((x) => ({ ...x, quality_flags: 0 })));
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('dedupes by update id keeping the first copy received', () => {
    const r = cleanQuotes(
      table([
        quote(T0 + 10, 1),
        quote(T0 + 20, 2, { ingest_time: T0 + 40, bid_sz: 5 }),
        quote(T0 + 15, 2, { ingest_time: T0 + 30, bid_sz: 6 }),
        quote(T0 + 25, 2, { ingest_time: T0 + 50, bid_sz: 7 }),
      ]),
      DT,
      NOW,
    );
    expect(r.silver.rows().map((x) => [x.update_id, x.event_time, x.bid_sz])).toEqual([
      [1, T0 + 10, 1],
      [2, T0 + 15, 6],
    ]);
    expect(r.stats).toMatchObject({ rowsIn: 4, rowsOut: 2, duplicates: 2 });
  });

  it('without ids dedupes on event time and identical prices and sizes', () => {
    const r = cleanQuotes(
      table([
        quote(T0 + 10, null, { ingest_time: T0 + 90 }),
        quote(T0 + 10, null, { ingest_time: T0 + 20 }),
        quote(T0 + 10, null, { ask_px: 100.6 }),
        quote(T0 + 10, null, { ask_sz: 3 }),
        quote(T0 + 11, null),
      ]),
      DT,
      NOW,
    );
    expect(r.silver.rows().map((x) => [x.event_time, x.ingest_time, x.ask_px, x.ask_sz])).toEqual([
      [T0 + 10, T0 + 15, 100.6, 2],
      [T0 + 10, T0 + 15, 100.5, 3],
      [T0 + 10, T0 + 20, 100.5, 2],
      [T0 + 11, T0 + 16, 100.5, 2],
    ]);
    expect(r.stats).toMatchObject({ rowsOut: 4, duplicates: 1 });
  });

  it('quarantines crossed and invalid quotes with their reason', () => {
    const r = cleanQuotes(
      table([
        quote(T0 + 1, 1, { bid_px: 101 }),
        quote(T0 + 2, 2, { bid_px: 100.5 }),
        quote(T0 + 3, 3, { ask_sz: -1 }),
        quote(T0 + 4, 4, { ask_px: null }),
        quote(T0 + 5, 5),
      ]),
      DT,
      NOW,
    );
    expect(r.quarantine.rows().map((x) => [x.update_id, x.quarantine_reason, x.quarantined_at])).toEqual([
      [1, QUOTE_REASONS.crossed, NOW],
      [2, QUOTE_REASONS.crossed, NOW],
      [3, 'ask_sz=-1 is below 0', NOW],
      [4, 'ask_px is null', NOW],
    ]);
    expect(r.stats).toMatchObject({
      rowsIn: 5,
      rowsOut: 1,
      quarantined: 4,
      quarantinedByReason: { [QUOTE_REASONS.crossed]: 2, 'ask_sz is below 0': 1, 'ask_px is null': 1 },
    });
  });

  it('counts update ids going backwards in time order, flags REST rows, skips other days', () => {
    const r = cleanQuotes(
      table([
        quote(T0 - 1, 1),
        quote(T0 + 10, 10),
        quote(T0 + 20, 9, { source: 'rest' }),
        quote(T0 + 30, 11),
        quote(T0 + 86_400_000, 12),
      ]),
      DT,
      NOW,
    );
    expect(r.silver.rows().map((x) => [x.update_id, x.source, x.quality_flags])).toEqual([
      [10, 'ws', 0],
      [9, 'rest', QualityFlag.BACKFILLED],
      [11, 'ws', 0],
    ]);
    expect(r.stats).toMatchObject({ rowsIn: 3, outsideDay: 2, rowsOut: 3, sequenceBackwards: 1, flagged: { BACKFILLED: 1 } });
  });

  it('cleans an empty input to empty tables', () => {
    const r = cleanQuotes(Table.empty(spec), DT, NOW);
    expect([r.silver.length, r.quarantine.length, r.stats.rowsIn, r.stats.rowsOut]).toEqual([0, 0, 0, 0]);
    expect(r.silver.spec).toBe(dataset('silver', 'quotes'));
    expect(r.quarantine.spec).toBe(dataset('quarantine', 'quotes'));
  });
});
