import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateTable } from '../../lib/schema/validate';
import { BOOK_REASONS, cleanBookTop10 } from '../../lib/silver/book-top10';
import { generateBookRows } from '../../lib/simulator/offline/bronze-rows';
import { Table } from '../../lib/table/table';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const NOW = Date.parse('2024-05-02T01:00:00Z');
const bronzeSpec = dataset('bronze', 'book_top10');

/** A valid hand-made snapshot around 100 with 10 levels a side. */
function book(t: number, id: number | null, over: Row = {}): Row {
  const r: Row = { event_time: t, last_update_id: id, base: 'BTC', quote: 'USDT', ingest_time: t + 5, source: 'ws' };
  for (let k = 1; k <= 10; k++) {
    r[`bid_px_${k}`] = 100 - k;
    r[`bid_sz_${k}`] = k;
    r[`ask_px_${k}`] = 100 + k;
    r[`ask_sz_${k}`] = k;
  }
  return { ...r, ...over };
}
const table = (rows: Row[]) => Table.fromRows(bronzeSpec, rows);

describe('Silver book_top10 cleaning', () => {
  it('keeps ten minutes of generated snapshots whole, in order, valid for silver, unflagged', () => {
    const bronze = generateBookRows('BTCUSDT', T0, T0 + 10 * 60_000, { ingestLagMs: 3 });
    const r = cleanBookTop10(bronze, DT, NOW);
    expect(r.stats).toEqual({
      rowsIn: 6000,
      outsideDay: 0,
      rowsOut: 6000,
      duplicates: 0,
      quarantined: 0,
      quarantinedByReason: {},
      flagged: {},
      sequenceBackwards: 0,
    });
    expect(r.silver.spec).toBe(dataset('silver', 'book_top10'));
    expect(validateTable(r.silver).size).toBe(0);
    expect(r.silver.num('quality_flags').every((f) => f === 0)).toBe(true);
    expect(r.silver.str('source').every((s) => s === 'ws')).toBe(true);
    expect(Array.from(r.silver.num('event_time'))).toEqual(Array.from(bronze.num('event_time')));
    expect(r.silver.row(4321)).toEqual({ ...bronze.row(4321), quality_flags: 0 });
    expect(r.quarantine.length).toBe(0);
    expect(r.quarantine.spec).toBe(dataset('quarantine', 'book_top10'));
  });

  it('leaves rows of the neighbouring days to their own runs', () => {
    const bronze = generateBookRows('BTCUSDT', T0 - 60_000, T0 + 60_000);
    const r = cleanBookTop10(bronze, DT, NOW);
    expect(r.stats).toMatchObject({ rowsIn: 600, outsideDay: 600, rowsOut: 600 });
    expect(r.silver.num('event_time')[0]).toBe(T0);
  });

  it('keeps the first copy received of a snapshot id, even when the copies carry different event times', () => {
    const rows = [
      book(T0 + 100, 1),
      book(T0 + 200, 2, { ingest_time: T0 + 900, bid_sz_1: 11 }),
      // The second connection received id 2 earlier (its own receive time as event time): that copy wins.
      book(T0 + 190, 2, { ingest_time: T0 + 195, bid_sz_1: 22 }),
      book(T0 + 300, 2, { ingest_time: T0 + 999, bid_sz_1: 33 }),
      book(T0 + 400, 3),
    ];
    const r = cleanBookTop10(table(rows), DT, NOW);
    expect(r.stats).toMatchObject({ rowsIn: 5, rowsOut: 3, duplicates: 2, quarantined: 0 });
    expect(r.silver.rows().map((x) => [x.last_update_id, x.event_time, x.bid_sz_1])).toEqual([
      [1, T0 + 100, 1],
      [2, T0 + 190, 22],
      [3, T0 + 400, 1],
    ]);
    expect(r.quarantine.length).toBe(0);
  });

  it('without ids (Kraken) dedupes on equal event time and identical levels only', () => {
    const rows = [
      book(T0 + 100, null, { ingest_time: T0 + 150 }),
      book(T0 + 100, null, { ingest_time: T0 + 120 }),
      book(T0 + 100, null, { bid_sz_10: 99 }),
      book(T0 + 100, null, { bid_px_10: null, bid_sz_10: null }),
      book(T0 + 100, null, { bid_px_10: null, bid_sz_10: null, ingest_time: T0 + 500 }),
      book(T0 + 200, null),
    ];
    const r = cleanBookTop10(table(rows), DT, NOW);
    expect(r.stats).toMatchObject({ rowsIn: 6, rowsOut: 4, duplicates: 2 });
    expect(r.silver.rows().map((x) => [x.event_time, x.ingest_time, x.bid_sz_10, x.last_update_id])).toEqual([
      // Equal event times order by receive time.
      [T0 + 100, T0 + 105, 99, null],
      [T0 + 100, T0 + 105, null, null],
      [T0 + 100, T0 + 120, 10, null],
      [T0 + 200, T0 + 205, 10, null],
    ]);
  });

  it('quarantines invalid and illogical books with their reason and counts them per rule', () => {
    const rows = [
      book(T0 + 1, 1),
      book(T0 + 2, 2, { bid_px_1: 101.5 }),
      book(T0 + 3, 3, { bid_px_1: 101, ask_px_1: 101 }),
      book(T0 + 4, 4, { bid_px_3: 99.5 }),
      book(T0 + 5, 5, { bid_px_3: 98 }),
      book(T0 + 6, 6, { ask_px_2: 101 }),
      book(T0 + 7, 7, { ask_sz_4: 0 }),
      book(T0 + 8, 8, { bid_sz_5: null }),
      book(T0 + 9, 9, { ask_px_5: null, ask_sz_5: null }),
      book(T0 + 10, 10, { bid_px_1: -1 }),
      book(T0 + 11, 11, { source: 'carrier-pigeon' }),
      book(T0 + 12, 12, { last_update_id: 1.5 }),
      book(T0 + 13, 13, { ask_px_10: 1e12 }),
      book(T0 + 14, 14),
    ];
    const r = cleanBookTop10(table(rows), DT, NOW);
    expect(r.silver.rows().map((x) => x.last_update_id)).toEqual([1, 14]);
    expect(r.quarantine.rows().map((x) => [x.last_update_id, x.quarantine_reason])).toEqual([
      [2, BOOK_REASONS.crossed],
      [3, BOOK_REASONS.crossed],
      [4, BOOK_REASONS.bids],
      [5, BOOK_REASONS.bids],
      [6, BOOK_REASONS.asks],
      [7, BOOK_REASONS.size],
      [8, BOOK_REASONS.half],
      [9, BOOK_REASONS.gap],
      [10, 'bid_px_1=-1 is not > 0'],
      [11, 'source=carrier-pigeon is not one of ws|rest|archive|filled'],
      [1.5, 'last_update_id=1.5 is not an integer'],
      [13, 'ask_px_10=1000000000000 is above 1000000000'],
    ]);
    expect(r.quarantine.num('quarantined_at').every((t) => t === NOW)).toBe(true);
    expect(r.quarantine.row(0)).toMatchObject({ ...rows[1], quarantined_at: NOW });
    expect(r.stats).toMatchObject({ rowsIn: 14, rowsOut: 2, quarantined: 12, duplicates: 0 });
    expect(r.stats.quarantinedByReason).toEqual({
      [BOOK_REASONS.crossed]: 2,
      [BOOK_REASONS.bids]: 2,
      [BOOK_REASONS.asks]: 1,
      [BOOK_REASONS.size]: 1,
      [BOOK_REASONS.half]: 1,
      [BOOK_REASONS.gap]: 1,
      'bid_px_1 is not > 0': 1,
      'source is not one of ws|rest|archive|filled': 1,
      'last_update_id is not an integer': 1,
      'ask_px_10 is above 1000000000': 1,
    });
  });

  it('accepts thin books and empty sides', () => {
    const thin: Row = {};
    for (let k = 3; k <= 10; k++) Object.assign(thin, { [`ask_px_${k}`]: null, [`ask_sz_${k}`]: null });
    const noBids: Row = {};
    for (let k = 1; k <= 10; k++) Object.assign(noBids, { [`bid_px_${k}`]: null, [`bid_sz_${k}`]: null });
    const r = cleanBookTop10(table([book(T0 + 1, 1, thin), book(T0 + 2, 2, noBids)]), DT, NOW);
    expect(r.stats).toMatchObject({ rowsOut: 2, quarantined: 0 });
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('sorts by event time then update id, and counts ids going backwards without quarantining', () => {
    const rows = [
      book(T0 + 300, 30),
      book(T0 + 100, 11),
      book(T0 + 200, 15),
      book(T0 + 100, 10),
      book(T0 + 400, 20),
      book(T0 + 500, null),
      book(T0 + 600, 40),
    ];
    const r = cleanBookTop10(table(rows), DT, NOW);
    expect(r.silver.rows().map((x) => [x.event_time, x.last_update_id])).toEqual([
      [T0 + 100, 10],
      [T0 + 100, 11],
      [T0 + 200, 15],
      [T0 + 300, 30],
      [T0 + 400, 20],
      [T0 + 500, null],
      [T0 + 600, 40],
    ]);
    expect(r.stats).toMatchObject({ rowsOut: 7, quarantined: 0, sequenceBackwards: 1 });
  });

  it('sorts a shuffled generated hour back into the original order', () => {
    const bronze = generateBookRows('BTCUSDT', T0 + 3_600_000, T0 + 3_660_000, { seed: 7 });
    const perm = Array.from({ length: bronze.length }, (_, i) => (i * 7919) % bronze.length);
    const r = cleanBookTop10(bronze.take(perm), DT, NOW);
    expect(Array.from(r.silver.num('last_update_id'))).toEqual(Array.from(bronze.num('last_update_id')));
    expect(r.stats.sequenceBackwards).toBe(0);
  });

  it('flags REST rows BACKFILLED and keeps their source', () => {
    const r = cleanBookTop10(table([book(T0 + 1, 1), book(T0 + 2, 2, { source: 'rest' })]), DT, NOW);
    expect(r.silver.rows().map((x) => [x.source, x.quality_flags])).toEqual([
      ['ws', 0],
      ['rest', QualityFlag.BACKFILLED],
    ]);
    expect(r.stats.flagged).toEqual({ BACKFILLED: 1 });
  });

  it('cleans an empty input to empty tables', () => {
    const r = cleanBookTop10(Table.empty(bronzeSpec), DT, NOW);
    expect(r.silver.length).toBe(0);
    expect(r.quarantine.length).toBe(0);
    expect(r.stats).toEqual({
      rowsIn: 0,
      outsideDay: 0,
      rowsOut: 0,
      duplicates: 0,
      quarantined: 0,
      quarantinedByReason: {},
      flagged: {},
      sequenceBackwards: 0,
    });
  });

  it('refuses a table of another dataset', () => {
    expect(() => cleanBookTop10(Table.empty(dataset('bronze', 'quotes')), DT, NOW)).toThrow(/book_top10/);
  });
});
