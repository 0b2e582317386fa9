import fc from 'fast-check';
import { clipIntervals, coveredLength, mergeIntervals, subtractIntervals, type Interval } from '../../lib/util/intervals';

/** Small integer intervals (about half of them empty: end <= start), so overlaps and touching ends are common. */
const interval = fc
  .tuple(fc.integer({ min: -5, max: 40 }), fc.integer({ min: -5, max: 40 }))
  .map(([start, end]): Interval => [start, end]);
const intervals = fc.array(interval, { maxLength: 8 });
/** The integer points a brute-force membership check looks at (every bound above is one of them). */
const POINTS = Array.from({ length: 50 }, (_, i) => i - 6);

const covers = (list: readonly Interval[], point: number) => list.some(([start, end]) => start <= point && point < end);

/** Ascending, disjoint, non-touching, nothing empty. */
function isNormal(list: readonly Interval[]): boolean {
  return list.every(([start, end], i) => start < end && (i === 0 || list[i - 1][1] < start));
}

const PARAMS = { seed: 13, numRuns: 300 };

describe('mergeIntervals', () => {
  it('joins overlapping and touching intervals and drops empty ones', () => {
    expect(
      mergeIntervals([
        [5, 7],
        [0, 2],
        [2, 3],
        [6, 9],
        [4, 4],
        [11, 10],
      ]),
    ).toEqual([
      [0, 3],
      [5, 9],
    ]);
    expect(mergeIntervals([])).toEqual([]);
    expect(mergeIntervals([[0, Number.NaN]])).toEqual([]);
  });

  it('covers exactly what its input covers, in normal form', () => {
    fc.assert(
      fc.property(intervals, (list) => {
        const merged = mergeIntervals(list);
        expect(isNormal(merged)).toBe(true);
        for (const point of POINTS) expect(covers(merged, point)).toBe(covers(list, point));
      }),
      PARAMS,
    );
  });

  it('does not change its input', () => {
    const list: Interval[] = [
      [3, 5],
      [0, 4],
    ];
    mergeIntervals(list);
    expect(list).toEqual([
      [3, 5],
      [0, 4],
    ]);
  });
});

describe('subtractIntervals', () => {
  it('keeps what no removed interval covers', () => {
    expect(
      subtractIntervals(
        [[0, 10]],
        [
          [2, 3],
          [5, 7],
          [9, 12],
        ],
      ),
    ).toEqual([
      [0, 2],
      [3, 5],
      [7, 9],
    ]);
    expect(
      subtractIntervals(
        [
          [0, 2],
          [4, 6],
        ],
        [[1, 5]],
      ),
    ).toEqual([
      [0, 1],
      [5, 6],
    ]);
    expect(subtractIntervals([[0, 2]], [])).toEqual([[0, 2]]);
    expect(subtractIntervals([[0, 2]], [[-1, 3]])).toEqual([]);
  });

  it('covers a point exactly when the first covers it and the second does not, in normal form', () => {
    fc.assert(
      fc.property(intervals, intervals, (from, remove) => {
        const rest = subtractIntervals(from, remove);
        expect(isNormal(rest)).toBe(true);
        for (const point of POINTS) expect(covers(rest, point)).toBe(covers(from, point) && !covers(remove, point));
      }),
      PARAMS,
    );
  });
});

describe('clipIntervals', () => {
  it('keeps the parts inside the bounds', () => {
    expect(
      clipIntervals(
        [
          [0, 4],
          [6, 8],
          [10, 20],
        ],
        [3, 12],
      ),
    ).toEqual([
      [3, 4],
      [6, 8],
      [10, 12],
    ]);
    expect(clipIntervals([[0, 4]], [5, 5])).toEqual([]);
  });

  it('covers a point exactly when the input and the bounds both cover it, in normal form', () => {
    fc.assert(
      fc.property(intervals, interval, (list, bounds) => {
        const clipped = clipIntervals(list, bounds);
        expect(isNormal(clipped)).toBe(true);
        for (const point of POINTS) expect(covers(clipped, point)).toBe(covers(list, point) && covers([bounds], point));
      }),
      PARAMS,
    );
  });
});

describe('coveredLength', () => {
  it('counts overlapping parts once', () => {
    expect(
      coveredLength([
        [0, 3],
        [2, 5],
        [10, 11],
      ]),
    ).toBe(6);
    expect(coveredLength([])).toBe(0);
  });

  it('of integer intervals, is the number of integer points covered', () => {
    fc.assert(
      fc.property(intervals, (list) => {
        expect(coveredLength(list)).toBe(POINTS.filter((point) => covers(list, point)).length);
      }),
      PARAMS,
    );
  });
});
