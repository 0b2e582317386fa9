/**
 * Algebra of half-open intervals [start, end) on the number line: minutes as open times (one minute is
 * [t, t + 1 min)), trade ids (id n is [n, n + 1)), and the like. An interval with end <= start (or a NaN bound)
 * is empty. Every operation returns its result in normal form: ascending, disjoint and non-touching (two
 * intervals that meet are one), without empty intervals.
 */

export type Interval = readonly [start: number, end: number];

function isEmpty([start, end]: Interval): boolean {
  return !(end > start);
}

/** The union of `intervals`, in normal form: overlapping and touching intervals are joined. */
export function mergeIntervals(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].filter((interval) => !isEmpty(interval)).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** What of `from` no interval of `remove` covers, in normal form. */
export function subtractIntervals(from: Iterable<Interval>, remove: Iterable<Interval>): Interval[] {
  const removed = mergeIntervals(remove);
  const out: Interval[] = [];
  let next = 0;
  for (const [start, end] of mergeIntervals(from)) {
    // `removed` is ascending, and so are the starts of `from`: what ends before this start is done with.
    while (next < removed.length && removed[next][1] <= start) next++;
    let cursor = start;
    for (let k = next; k < removed.length && removed[k][0] < end; k++) {
      if (removed[k][0] > cursor) out.push([cursor, removed[k][0]]);
      cursor = Math.max(cursor, removed[k][1]);
    }
    if (cursor < end) out.push([cursor, end]);
  }
  return out;
}

/** The parts of `intervals` inside `bounds`, in normal form. */
export function clipIntervals(intervals: Iterable<Interval>, bounds: Interval): Interval[] {
  const [low, high] = bounds;
  return mergeIntervals([...intervals].map(([start, end]): Interval => [Math.max(start, low), Math.min(end, high)]));
}

/** The total length the union of `intervals` covers (e.g. the number of minutes, times one minute). */
export function coveredLength(intervals: Iterable<Interval>): number {
  return mergeIntervals(intervals).reduce((sum, [start, end]) => sum + (end - start), 0);
}
