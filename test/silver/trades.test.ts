import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateRow, validateTable } from '../../lib/schema/validate';
import { cleanTrades } from '../../lib/silver/trades';
import { generateTradeRows } from '../../lib/simulator/offline/bronze-rows';
import { Table } from '../../lib/table/table';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const HOUR = 3_600_000;
const NOW = Date.parse('2024-05-02T01:00:00Z');
const bronzeSpec = dataset('bronze', 'trades');

function trade(id: number, over: Partial<Row> = {}): Row {
  const price = (over.price as number | undefined) ?? 100;
  const qty = 1;
  return {
    trade_id: id,
    event_time: T0 + id * 1000,
    price,
    qty,
    quote_qty: price * qty,
    is_buyer_maker: false,
    base: 'BTC',
    quote: 'USDT',
    ingest_time: T0 + id * 1000 + 5,
    source: 'ws',
    ...over,
  };
}

const bronze = (rows: Row[]) => Table.fromRows(bronzeSpec, rows);

/** Appends rows (as objects) to a generated columnar Bronze table. */
function withRows(t: Table, extra: Row[]): Table {
  return Table.concat(bronzeSpec, [t, bronze(extra)]);
}

describe('Silver trades cleaning', () => {
  it('keeps a clean simulated day-part as is: id order, source kept, no flags, rows valid for silver trades', () => {
    const b = generateTradeRows('BTCUSDT', T0, T0 + 3 * HOUR);
    const r = cleanTrades(b, DT, NOW);
    expect(r.stats).toMatchObject({
      rowsIn: b.length,
      rowsOut: b.length,
      outsideDay: 0,
      quarantined: 0,
      duplicates: 0,
      outliers: 0,
      idGaps: [],
      missingIds: 0,
    });
    expect(r.silver.spec).toBe(dataset('silver', 'trades'));
    expect(r.quarantine.length).toBe(0);
    expect(Array.from(r.silver.num('trade_id'))).toEqual(Array.from(b.num('trade_id')));
    expect(r.silver.num('quality_flags').every((f) => f === 0)).toBe(true);
    expect(r.silver.str('source').every((s) => s === 'ws')).toBe(true);
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('cleans simulated data with duplicates, out-of-day rows, a corrupted price and removed ids', () => {
    const gen = generateTradeRows('BTCUSDT', T0 + 21 * HOUR, T0 + 27 * HOUR);
    const ids = gen.num('trade_id');
    const time = gen.num('event_time');
    const inDay = Array.from(time).filter((t) => t < T0 + 24 * HOUR).length;
    const removed = new Set([ids[100], ids[101], ids[102], ids[500]]);
    const keepIdx = Array.from({ length: gen.length }, (_, i) => i).filter((i) => !removed.has(ids[i]));
    const base = gen.take(keepIdx);
    // A reconnect replays 50 trades later; one corrupted print; the next day's rows are in the input margin.
    const replay = Array.from({ length: 50 }, (_, k) => ({
      ...gen.row(1000 + k),
      ingest_time: (gen.row(1000 + k).ingest_time as number) + 60_000,
    }));
    const corrupt = { ...gen.row(2000), trade_id: ids[gen.length - 1] + 1_000_000, price: -3 };
    const b = withRows(base, [...replay, corrupt]);
    const r = cleanTrades(b, DT, NOW);

    expect(r.stats.outsideDay).toBe(gen.length - inDay);
    expect(r.stats.duplicates).toBe(50);
    expect(r.stats.conflictingDuplicates).toBe(0);
    expect(r.stats.quarantined).toBe(1);
    expect(r.stats.quarantinedByReason).toEqual({ 'price is not > 0': 1 });
    expect(r.quarantine.row(0)).toMatchObject({ price: -3, quarantine_reason: 'price=-3 is not > 0', quarantined_at: NOW });
    expect(r.stats.rowsOut).toBe(inDay - 4);
    expect(r.stats.rowsIn).toBe(r.stats.outsideDay + r.stats.quarantined + r.stats.duplicates + r.stats.rowsOut);
    expect(r.stats.idGaps).toEqual([
      { afterId: ids[99], beforeId: ids[103], missing: 3, from: time[99], to: time[103] },
      { afterId: ids[499], beforeId: ids[501], missing: 1, from: time[499], to: time[501] },
    ]);
    expect(r.stats.missingIds).toBe(4);
    const out = r.silver.num('trade_id');
    expect(out.every((x, k) => k === 0 || x > out[k - 1])).toBe(true);
    // First copy kept: the replay's later ingest time never wins.
    const at1000 = Array.from(out).indexOf(ids[1000]);
    expect(r.silver.num('ingest_time')[at1000]).toBe(gen.num('ingest_time')[1000]);
    expect(validateTable(r.silver).size).toBe(0);
    // Quarantine rows break ranges by definition; they must still fit the table structurally.
    expect(validateTable(r.quarantine, { ranges: false }).size).toBe(0);
  });

  it('keeps the first copy of a trade id by ingest time, then by file order, counting conflicting copies', () => {
    const rows = [
      trade(3, { price: 101, ingest_time: T0 + 9_000, source: 'archive' }),
      trade(3, { price: 102, ingest_time: T0 + 4_000, source: 'ws' }),
      trade(3, { price: 103, ingest_time: T0 + 4_000, source: 'rest' }),
      trade(1, { source: 'rest' }),
      trade(2),
      trade(2),
    ];
    const r = cleanTrades(bronze(rows), DT, NOW);
    expect(r.silver.rows().map((x) => [x.trade_id, x.price, x.source])).toEqual([
      [1, 100, 'rest'],
      [2, 100, 'ws'],
      [3, 102, 'ws'],
    ]);
    expect(r.stats).toMatchObject({ duplicates: 3, conflictingDuplicates: 2, quarantined: 0, rowsOut: 3 });
  });

  it('quarantines invalid rows with the validator reason and counts them by reason', () => {
    const rows = [
      trade(1),
      trade(2, { price: NaN }),
      trade(3, { price: Infinity }),
      trade(4, { qty: -1 }),
      trade(5, { price: 0 }),
      trade(6, { event_time: null }),
      trade(7, { source: 'carrier-pigeon' }),
      trade(8),
    ];
    const r = cleanTrades(bronze(rows), DT, NOW);
    const reasons = r.quarantine.rows().map((x) => [x.trade_id, x.quarantine_reason]);
    expect(reasons).toEqual([
      [2, 'price is null'],
      [3, 'price is not finite'],
      [4, 'qty=-1 is below 0'],
      [5, 'price=0 is not > 0'],
      [6, 'event_time is null'],
      [7, 'source=carrier-pigeon is not one of ws|rest|archive|filled'],
    ]);
    expect(r.stats.quarantinedByReason).toEqual({
      'price is null': 1,
      'price is not finite': 1,
      'qty is below 0': 1,
      'price is not > 0': 1,
      'event_time is null': 1,
      'source is not one of ws|rest|archive|filled': 1,
    });
    expect(r.stats.rowsOut).toBe(2);
    // Quarantine is not a gap: ids 2..7 were received, just not trusted; only ids absent from the input count.
    expect(r.stats.idGaps).toEqual([{ afterId: 1, beforeId: 8, missing: 6, from: T0 + 1000, to: T0 + 8000 }]);
  });

  it('leaves rows of another date to that date, counted and neither kept nor quarantined', () => {
    const rows = [
      trade(1, { event_time: T0 - 1 }),
      trade(2),
      trade(3, { event_time: T0 + 24 * HOUR }),
      trade(4, { event_time: T0 + 24 * HOUR - 1 }),
    ];
    const r = cleanTrades(bronze(rows), DT, NOW);
    expect(r.stats).toMatchObject({ rowsIn: 4, outsideDay: 2, quarantined: 0, rowsOut: 2 });
    expect(Array.from(r.silver.num('trade_id'))).toEqual([2, 4]);
    // A bad row of another date is that date's to quarantine.
    expect(cleanTrades(bronze([trade(1, { event_time: T0 - 1, price: -1 })]), DT, NOW).stats).toMatchObject({
      outsideDay: 1,
      quarantined: 0,
    });
  });

  it('lists exact id gaps in id order even from unsorted input, and none without contiguous ids', () => {
    const rows = [trade(20), trade(10), trade(11), trade(15), trade(16), trade(21)];
    const r = cleanTrades(bronze(rows), DT, NOW);
    expect(r.stats.idGaps).toEqual([
      { afterId: 11, beforeId: 15, missing: 3, from: T0 + 11_000, to: T0 + 15_000 },
      { afterId: 16, beforeId: 20, missing: 3, from: T0 + 16_000, to: T0 + 20_000 },
    ]);
    expect(r.stats).toMatchObject({ missingIds: 6, firstId: 10, lastId: 21 });
    const kraken = cleanTrades(bronze(rows), DT, NOW, { contiguousIds: false });
    expect(kraken.stats.idGaps).toEqual([]);
    expect(kraken.stats.missingIds).toBe(0);
    expect(Array.from(kraken.silver.num('trade_id'))).toEqual([10, 11, 15, 16, 20, 21]);
  });

  it('flags a spike that reverts as OUTLIER and keeps it; a lasting move is not flagged', () => {
    const prices = [
      100, 100.1, 99.9, 100, 100.2, 100.1, 100, 80, 100.1, 100, 99.9, 100, 130, 131, 100.2, 100, 100.1, 100, 110, 110.2, 110.1,
      110,
    ];
    const r = cleanTrades(bronze(prices.map((p, i) => trade(i + 1, { price: p }))), DT, NOW);
    const flags = Array.from(r.silver.num('quality_flags'));
    const flagged = flags.flatMap((f, k) => (f ? [prices[k]] : []));
    expect(flagged).toEqual([80, 130, 131]);
    expect(flags.every((f) => f === 0 || f === QualityFlag.OUTLIER)).toBe(true);
    expect(r.stats.outliers).toBe(3);
    expect(r.silver.length).toBe(prices.length);
  });

  it('does not flag a spike at the very end of the day, a run longer than the limit, or one below the threshold', () => {
    const tail = [100, 100, 100, 100, 120];
    expect(cleanTrades(bronze(tail.map((p, i) => trade(i + 1, { price: p }))), DT, NOW).stats.outliers).toBe(0);
    const long = [100, 100, 100, 100, 120, 120, 120, 120, 100, 100];
    expect(cleanTrades(bronze(long.map((p, i) => trade(i + 1, { price: p }))), DT, NOW).stats.outliers).toBe(0);
    const small = [100, 100, 100, 100, 101.5, 100, 100];
    expect(cleanTrades(bronze(small.map((p, i) => trade(i + 1, { price: p }))), DT, NOW).stats.outliers).toBe(0);
    expect(
      cleanTrades(bronze(small.map((p, i) => trade(i + 1, { price: p }))), DT, NOW, { outlierThreshold: 0.01 }).stats.outliers,
    ).toBe(1);
  });

  it('flags an injected bad print in simulated data and nothing else', () => {
    const gen = generateTradeRows('ETHUSDT', T0, T0 + 2 * HOUR, { seed: 3 });
    const price = gen.num('price');
    price[3000] *= 0.9;
    const r = cleanTrades(gen, DT, NOW);
    expect(r.stats.outliers).toBe(1);
    expect(r.silver.num('quality_flags')[3000]).toBe(QualityFlag.OUTLIER);
    expect(validateTable(r.silver).size).toBe(0);
  });

  it('handles an empty input', () => {
    const r = cleanTrades(Table.empty(bronzeSpec), DT, NOW);
    expect(r.silver.length).toBe(0);
    expect(r.quarantine.length).toBe(0);
    expect(r.stats).toMatchObject({ rowsIn: 0, rowsOut: 0, idGaps: [], firstId: null, lastId: null });
  });

  it('produces rows that pass the registry validator for silver trades', () => {
    const r = cleanTrades(bronze([trade(1), trade(2, { source: 'archive' }), trade(3, { source: 'rest' })]), DT, NOW);
    for (const row of r.silver.rows()) expect(validateRow(dataset('silver', 'trades'), row)).toBeNull();
  });
});
