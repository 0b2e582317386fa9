import { checkPeriod, outputArray } from './common';
import { emaInto } from './moving-average';

export interface MacdResult {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly hist: Float64Array;
}

/**
 * TA-Lib MACD. Both EMAs start on bar slow - 1: the slow one seeded by the SMA of the first `slow` closes, the
 * fast one by the SMA of the `fast` closes ending on that bar (not on bar fast - 1, as a standalone EMA would).
 * The signal is an EMA of the MACD line from that bar, so the first output of all three series is at
 * (slow - 1) + (signal - 1), 33 for 12/26/9; TA-Lib also withholds the MACD line itself until then.
 * Like TA-Lib, a fast period longer than the slow one is swapped with it.
 * TA-Lib declares a signal period of 1 valid, but its EMA lookback rejects 1 (returns -1) and MACD then reads
 * before its buffer and returns misaligned output; signal periods start at 2 here.
 */
export function macd(close: Float64Array, fast = 12, slow = 26, signal = 9): MacdResult {
  checkPeriod('fast', fast, 2);
  checkPeriod('slow', slow, 2);
  checkPeriod('signal', signal, 2);
  const fastPeriod = Math.min(fast, slow);
  const slowPeriod = Math.max(fast, slow);
  const lineStart = slowPeriod - 1;
  const begin = lineStart + signal - 1;
  const n = close.length;
  const line = outputArray(n, begin);
  const signalLine = outputArray(n, begin);
  const hist = outputArray(n, begin);
  if (n <= begin) return { macd: line, signal: signalLine, hist };

  // `hist` holds the slow EMA until the histogram is written.
  emaInto(close, fastPeriod, lineStart, line);
  emaInto(close, slowPeriod, lineStart, hist);
  for (let i = lineStart; i < n; i++) line[i] = line[i] - hist[i];
  emaInto(line, signal, begin, signalLine);
  for (let i = begin; i < n; i++) hist[i] = line[i] - signalLine[i];
  // Before `begin` the MACD line only fed the signal's seed (and `hist` still holds the slow EMA); TA-Lib outputs neither.
  line.fill(Number.NaN, lineStart, begin);
  hist.fill(Number.NaN, lineStart, begin);
  return { macd: line, signal: signalLine, hist };
}
