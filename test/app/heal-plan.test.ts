import fc from 'fast-check';
import {
  isWindowMinute,
  lostTradeIds,
  minutesToFetch,
  suspectMinutes,
  windowMinutes,
  type HealWindow,
} from '../../lib/app/heal-plan';
import { mergeIntervals, type Interval } from '../../lib/util/intervals';

const MIN = 60_000;
const at = (hhmm: string) => Date.parse(`2024-05-06T${hhmm}:00Z`);
const minutes = (from: string, to: string): Interval => [at(from), at(to)];
/** 12:00 up to (not including) 12:10. */
const WINDOW: HealWindow = { from: at('12:00'), to: at('12:10') };

describe('windowMinutes', () => {
  it('is the whole minutes from the window start that end by its end', () => {
    expect(windowMinutes(WINDOW)).toEqual(minutes('12:00', '12:10'));
    expect(windowMinutes({ from: at('12:00'), to: at('12:03') + 30_000 })).toEqual(minutes('12:00', '12:03'));
    expect(windowMinutes({ from: at('12:00'), to: at('11:58') })).toEqual([at('12:00'), at('12:00')]);
  });

  it('holds the open times on its minute grid only', () => {
    expect(isWindowMinute(WINDOW, at('12:00'))).toBe(true);
    expect(isWindowMinute(WINDOW, at('12:09'))).toBe(true);
    expect(isWindowMinute(WINDOW, at('12:10'))).toBe(false);
    expect(isWindowMinute(WINDOW, at('11:59'))).toBe(false);
    expect(isWindowMinute(WINDOW, at('12:05') + 1)).toBe(false);
    expect(isWindowMinute(WINDOW, Number.NaN)).toBe(false);
  });
});

describe('suspectMinutes', () => {
  it('are the minutes overlapping the gap and the one whose close fell into it', () => {
    // 12:03:20-12:05:10: 12:02 closed at 12:03:00 (before the gap), 12:03 closed in it, 12:04 and 12:05 overlap it.
    expect(suspectMinutes(WINDOW, [at('12:03') + 20_000, at('12:05') + 10_000])).toEqual([minutes('12:03', '12:06')]);
    // A gap starting exactly at a minute boundary also takes the minute that closed at that instant.
    expect(suspectMinutes(WINDOW, [at('12:03'), at('12:03')])).toEqual([minutes('12:02', '12:04')]);
  });

  it('are clipped to the window', () => {
    expect(suspectMinutes(WINDOW, [at('11:00'), at('12:01') + 5_000])).toEqual([minutes('12:00', '12:02')]);
    expect(suspectMinutes(WINDOW, [at('12:08') + 5_000, at('13:00')])).toEqual([minutes('12:08', '12:10')]);
    expect(suspectMinutes(WINDOW, [at('13:00'), at('13:05')])).toEqual([]);
  });

  it('hold exactly the window minutes t with t <= end and t + 1 min >= start', () => {
    const time = fc.integer({ min: at('11:50'), max: at('12:20') });
    fc.assert(
      fc.property(time, time, (first, second) => {
        const [start, end] = first <= second ? [first, second] : [second, first];
        const suspect = suspectMinutes(WINDOW, [start, end]);
        for (let t = WINDOW.from; t < WINDOW.to; t += MIN) {
          expect(suspect.some(([from, to]) => from <= t && t < to)).toBe(t <= end && t + MIN >= start);
        }
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});

describe('minutesToFetch', () => {
  it('takes the minutes without any row, and the ledger-suspect ones without a closed bar', () => {
    const bronze = {
      // Rows everywhere but 12:02-12:03; closed bars everywhere but 12:02-12:03 and 12:06-12:07 (in-progress only).
      rows: mergeIntervals([minutes('12:00', '12:02'), minutes('12:04', '12:10')]),
      closed: mergeIntervals([minutes('12:00', '12:02'), minutes('12:04', '12:06'), minutes('12:08', '12:10')]),
    };
    // No ledger gap: only the minutes without a row. 12:06-12:07 have in-progress updates and no gap: not fetched.
    expect(minutesToFetch(WINDOW, bronze, [])).toEqual([minutes('12:02', '12:04')]);
    // A gap over 12:05:30-12:07:30: 12:05 (closed) stays, 12:06-12:07 (open only) are fetched.
    expect(minutesToFetch(WINDOW, bronze, [[at('12:05') + 30_000, at('12:07') + 30_000]])).toEqual([
      minutes('12:02', '12:04'),
      minutes('12:06', '12:08'),
    ]);
    // A gap over 12:04:30-12:06:30 suspects 12:04-12:06, of which only 12:06 lacks a closed bar.
    expect(minutesToFetch(WINDOW, bronze, [[at('12:04') + 30_000, at('12:06') + 30_000]])).toEqual([
      minutes('12:02', '12:04'),
      minutes('12:06', '12:07'),
    ]);
    // A gap inside 12:03 suspects 12:03 only, which is fetched anyway.
    expect(minutesToFetch(WINDOW, bronze, [[at('12:03') + 30_000, at('12:03') + 40_000]])).toEqual([minutes('12:02', '12:04')]);
    // A suspect minute touching the run without rows joins it.
    expect(minutesToFetch(WINDOW, { rows: bronze.rows, closed: [] }, [[at('12:04') + 30_000, at('12:04') + 40_000]])).toEqual([
      minutes('12:02', '12:05'),
    ]);
    expect(minutesToFetch(WINDOW, { rows: [], closed: [] }, [])).toEqual([minutes('12:00', '12:10')]);
    expect(
      minutesToFetch({ from: at('12:00'), to: at('11:59') }, { rows: [], closed: [] }, [[at('11:00'), at('13:00')]]),
    ).toEqual([]);
  });
});

describe('lostTradeIds', () => {
  const trades = (pairs: [id: number, time: number][]) => ({
    ids: pairs.map(([id]) => id),
    times: pairs.map(([, time]) => time),
  });

  it('are the ids Bronze lacks between the last trade at or before a gap and the first at or after it', () => {
    const held = trades([
      [100, 1_000],
      [101, 2_000],
      [105, 5_000],
      [107, 6_000],
      [110, 9_000],
      [111, 9_500],
    ]);
    // Gap 2_000-9_000: bounded by 101 and 110; 105 and 107 are held.
    expect(lostTradeIds([[2_000, 9_000]], held)).toEqual([
      [102, 105],
      [106, 107],
      [108, 110],
    ]);
    // Gap 2_500-5_500: bounded by 101 and 107.
    expect(lostTradeIds([[2_500, 5_500]], held)).toEqual([
      [102, 105],
      [106, 107],
    ]);
    // Two gaps bounding overlapping ids: one union.
    expect(
      lostTradeIds(
        [
          [2_500, 5_500],
          [5_000, 6_000],
        ],
        held,
      ),
    ).toEqual([
      [102, 105],
      [106, 107],
    ]);
  });

  it('leaves out a gap without a trade on either side, or with nothing lost', () => {
    const held = trades([
      [100, 1_000],
      [101, 2_000],
      [102, 3_000],
    ]);
    expect(lostTradeIds([[500, 2_500]], held)).toEqual([]);
    expect(lostTradeIds([[2_500, 9_000]], held)).toEqual([]);
    expect(lostTradeIds([[1_500, 2_500]], held)).toEqual([]);
    expect(lostTradeIds([[1_000, 3_000]], trades([]))).toEqual([]);
  });
});
