import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { buildReport, reportMarkdown } from '../../lib/silver/quality-report';
import { Table } from '../../lib/table/table';
import { bronzeDay, kline } from '../helpers/klines';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);
const at = (m: number) => T0 + m * 60_000;
const NOW = Date.parse('2024-05-02T01:00:00Z');

describe('Silver klines 1m cleaning', () => {
  it('keeps a complete clean day as 1,440 unflagged rows', () => {
    const r = cleanKlines1m(bronzeDay(DT), DT, NOW);
    expect(r.silver.length).toBe(1440);
    expect(r.stats).toMatchObject({ rowsIn: 1440, present: 1440, missing: 0, filled: 0, quarantined: 0, duplicates: 0 });
    expect(r.silver.num('quality_flags').every((f) => f === 0)).toBe(true);
  });

  it('keeps the final version of a kline: closed WebSocket bar over archive, REST and in-progress updates', () => {
    const spec = dataset('bronze', 'klines');
    const rows = [
      kline(at(0), { is_closed: false, close: 11, event_time: at(0) + 2_000 }),
      kline(at(0), { is_closed: false, close: 12, event_time: at(0) + 58_000 }),
      kline(at(0), { source: 'rest', close: 13, event_time: null }),
      kline(at(0), { close: 14 }),
      kline(at(0), { source: 'archive', close: 15, event_time: null }),
      kline(at(1), { is_closed: false, close: 16, event_time: at(1) + 2_000 }),
      kline(at(1), { is_closed: false, close: 17, event_time: at(1) + 40_000 }),
      kline(at(2), { source: 'rest', close: 18, event_time: null }),
      kline(at(2), { is_closed: false, close: 19, event_time: at(2) + 59_000 }),
    ];
    const r = cleanKlines1m(Table.fromRows(spec, rows), DT, NOW);
    const first3 = r.silver
      .rows()
      .slice(0, 3)
      .map((x) => [x.close, x.source, x.quality_flags]);
    // Minute 0's closed versions disagree (13, 14, 15): the WebSocket bar is kept and the minute flagged.
    // In-progress updates never count as disagreeing with the final bar.
    expect(first3).toEqual([
      [14, 'ws', QualityFlag.SOURCE_CONFLICT],
      [17, 'ws', QualityFlag.INCOMPLETE],
      [18, 'rest', QualityFlag.BACKFILLED],
    ]);
    expect(r.stats.duplicates).toBe(6);
    expect(r.stats.conflicts).toBe(1);
  }, 10_000);

  it("flags SOURCE_CONFLICT where closed versions from two sources differ materially, keeping the precedence's row", () => {
    const day = bronzeDay(DT).rows();
    const other = (m: number, o: Partial<Row>) => ({ ...day[m], event_time: null, ...o });
    const rows = [
      ...day,
      other(5, { source: 'archive' }), // identical: agrees
      other(6, { source: 'rest', close: (day[6].close as number) * (1 + 1e-9) }), // float noise: agrees
      other(7, { source: 'archive', close: (day[7].close as number) * 1.05 }), // another price
      other(8, { source: 'rest', volume: 12 }), // another volume
      other(9, { source: 'rest', is_closed: false, close: 120 }), // in progress: never compared
    ];
    const r = cleanKlines1m(Table.fromRows(dataset('bronze', 'klines'), rows), DT, NOW);
    const conflict = (m: number) => r.silver.num('quality_flags')[m] & QualityFlag.SOURCE_CONFLICT;
    expect([5, 6, 7, 8, 9].map(conflict)).toEqual([0, 0, QualityFlag.SOURCE_CONFLICT, QualityFlag.SOURCE_CONFLICT, 0]);
    expect(r.silver.row(7)).toMatchObject({ source: 'ws', close: day[7].close });
    expect(r.stats).toMatchObject({ conflicts: 2, flagged: { SOURCE_CONFLICT: 2 } });
    expect(r.stats.conflictSamples).toEqual([
      {
        open_time: at(7),
        kept: { source: 'ws', close: day[7].close },
        other: { source: 'archive', close: (day[7].close as number) * 1.05 },
      },
      { open_time: at(8), kept: { source: 'ws', close: day[8].close }, other: { source: 'rest', close: day[8].close } },
    ]);
  }, 10_000);

  it('makes the verdict INVESTIGATE for a few disagreeing minutes and FAIL above 1 % of the day', () => {
    const withConflicts = (n: number) => {
      const rows = bronzeDay(DT).rows();
      for (let m = 0; m < n; m++)
        rows.push({ ...rows[m], source: 'archive', event_time: null, close: (rows[m].close as number) * 1.5 });
      const { stats } = cleanKlines1m(Table.fromRows(dataset('bronze', 'klines'), rows), DT, NOW);
      return buildReport({ exchange: 'binance', symbol: 'BTCUSDT', dt: DT, builtAt: NOW, klines: stats });
    };
    expect(withConflicts(0).verdict).toBe('PASS');
    const few = withConflicts(3);
    expect(few.verdict).toBe('INVESTIGATE');
    expect(few.reasons).toEqual([
      expect.stringMatching(/^3 minutes where sources disagree \(first 00:00: ws close [\d.]+ vs archive [\d.]+\)$/),
    ]);
    expect(reportMarkdown(few)).toMatch(/### Sources disagree/);
    expect(withConflicts(14).verdict).toBe('INVESTIGATE');
    expect(withConflicts(15).verdict).toBe('FAIL');
  }, 10_000);

  it('interpolates a single missing minute, flags it FILLED, and reports longer gaps as missing', () => {
    const r = cleanKlines1m(bronzeDay(DT, [10, 100, 101, 102]), DT, NOW);
    const byMinute = new Map(r.silver.rows().map((x) => [((x.open_time as number) - T0) / 60_000, x]));
    const filled = byMinute.get(10)!;
    expect(filled).toMatchObject({ source: 'filled', quality_flags: QualityFlag.FILLED, volume: 0, trade_count: 0 });
    expect(filled.open).toBe(byMinute.get(9)!.close);
    expect(filled.close).toBe(byMinute.get(11)!.open);
    expect([100, 101, 102].some((m) => byMinute.has(m))).toBe(false);
    expect(r.stats).toMatchObject({ filled: 1, missing: 3, present: 1436, missingRanges: [[at(100), at(102)]] });
    expect(r.silver.length).toBe(1437);
  });

  it('never interpolates at the edges of the day', () => {
    const r = cleanKlines1m(bronzeDay(DT, [0, 1439]), DT, NOW);
    expect(r.stats).toMatchObject({ filled: 0, missing: 2 });
  });

  it('flags OHLC violations but keeps the row', () => {
    const r = cleanKlines1m(
      bronzeDay(DT, [], (m) => (m === 5 ? { high: 50, low: 40, close: 100 } : {})),
      DT,
      NOW,
    );
    expect(r.silver.row(5).quality_flags).toBe(QualityFlag.INVALID_OHLC);
    expect(r.stats.flagged).toEqual({ INVALID_OHLC: 1 });
  });

  it('quarantines rows that fail the registry ranges, with the reason, and drops rows of other days', () => {
    const over = (m: number) => (m === 7 ? { open: -1 } : m === 8 ? { volume: -3 } : {});
    const day = bronzeDay(DT, [], over);
    const spec = dataset('bronze', 'klines');
    const withOther = Table.concat(spec, [day, Table.fromRows(spec, [kline(at(1440)), kline(T0 + 30_000)])]);
    const r = cleanKlines1m(withOther, DT, NOW);
    expect(r.quarantine.rows().map((x) => [x.open_time, x.quarantine_reason, x.quarantined_at])).toEqual([
      [at(7), 'open=-1 is not > 0', NOW],
      [at(8), 'volume=-3 is below 0', NOW],
      [T0 + 30_000, 'open_time is not on the minute grid', NOW],
    ]);
    // Minutes 7 and 8 are now a two-minute gap: reported missing, not interpolated.
    expect(r.stats).toMatchObject({ outsideDay: 1, quarantined: 3, filled: 0, missing: 2 });
  });

  it('tells exchange outages (placeholder runs on a liquid market) from quiet minutes', () => {
    const flat = { volume: 0, trade_count: 0, quote_volume: 0, open: 100, high: 100, low: 100, close: 100 };
    // 12 placeholder bars, one trading bar, one more placeholder (one incident, as FILUSDT 2024-10-28 16:21-16:36),
    // then an isolated empty minute later in the day.
    const outage = (m: number) => (m >= 500 && m < 512) || m === 513;
    const r = cleanKlines1m(
      bronzeDay(DT, [], (m) => (outage(m) || m === 900 ? flat : {})),
      DT,
      NOW,
    );
    const flags = r.silver.num('quality_flags');
    for (let m = 500; m <= 513; m++) expect(flags[m]).toBe(m === 512 ? 0 : QualityFlag.EXCHANGE_OUTAGE);
    expect(flags[900]).toBe(QualityFlag.NO_TRADES);
    expect(r.stats.flagged).toEqual({ EXCHANGE_OUTAGE: 13, NO_TRADES: 1 });
  });

  it('calls every empty minute NO_TRADES on a thin market', () => {
    const flat = { volume: 0, trade_count: 0, quote_volume: 0, open: 100, high: 100, low: 100, close: 100 };
    const r = cleanKlines1m(
      bronzeDay(DT, [], (m) => (m % 3 === 0 || (m >= 600 && m < 640) ? flat : {})),
      DT,
      NOW,
    );
    expect(r.stats.flagged.EXCHANGE_OUTAGE).toBeUndefined();
    expect(r.stats.flagged.NO_TRADES).toBeGreaterThan(480);
  });
});
