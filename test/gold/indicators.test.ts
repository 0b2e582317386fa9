import * as ind from '../../lib/gold/indicators';
import { type Bars, head, KLINE_FILES, readKlines, syntheticBars } from './helpers/bars';
import { INDICATOR_CASES, type IndicatorCase } from './helpers/indicator-cases';
import { maxRelativeDifference, talibAligned } from './helpers/talib-reference';

/** |ours - talib| <= TOLERANCE * max(1, |talib|) wherever TA-Lib has an output. */
const TOLERANCE = 1e-9;

const DATASETS: readonly Bars[] = [...KLINE_FILES.map(readKlines), syntheticBars(20_000)];

function talibOf(c: IndicatorCase, b: Bars): Float64Array[] {
  return talibAligned(c.talib.name, c.talib.inputs(b), c.talib.options, c.talib.outputs);
}

/** Checks every output of `c` on `b` against TA-Lib: same length, NaN exactly where TA-Lib has none, values within tolerance. */
function expectMatchesTalib(c: IndicatorCase, b: Bars): void {
  const ours = c.ours(b);
  const ref = talibOf(c, b);
  expect(ours).toHaveLength(ref.length);
  ref.forEach((r, k) => {
    expect(ours[k]).toHaveLength(b.close.length);
    expect(maxRelativeDifference(ours[k], r)).toBeLessThanOrEqual(TOLERANCE);
  });
}

describe.each(INDICATOR_CASES.map((c) => [c.label, c] as const))('%s matches TA-Lib', (_label, c) => {
  test.each(DATASETS.map((b) => [b.label, b] as const))('on %s', (_name, b) => {
    expectMatchesTalib(c, b);
  });

  test('on inputs around its lookback (all NaN up to the lookback, no throw)', () => {
    const lengths = [...new Set([1, 2, c.lookback, c.lookback + 1, c.lookback + 2])].filter((n) => n >= 1);
    for (const n of lengths) {
      const b = head(DATASETS[0], n);
      expectMatchesTalib(c, b);
      if (n <= c.lookback) for (const out of c.ours(b)) expect(out.every(Number.isNaN)).toBe(true);
    }
  });

  test('on an empty input (empty outputs; TA-Lib itself aborts the process here)', () => {
    for (const out of c.ours(head(DATASETS[0], 0))) expect(out).toHaveLength(0);
  });
});

describe('TA-Lib behaviours reproduced on purpose', () => {
  test('RSI zeroes gain + loss below TA-Lib 0.6 epsilon 1e-14, not the older 1e-8', () => {
    // 14 rises then a long flat stretch: RSI stays 100 while the decaying average gain is >= 1e-14.
    const close = Float64Array.from({ length: 615 }, (_, i) => Math.min(i, 14) + 1);
    const ours = ind.rsi(close);
    const ref = talibAligned('RSI', { inReal: close }, { optInTimePeriod: 14 }, ['outReal'])[0];
    expect(maxRelativeDifference(ours, ref)).toBe(0);
    // After 300 flat bars the average gain is (13/14)^300 ≈ 2e-10: under 1e-8, over 1e-14.
    expect(ours[14 + 300]).toBe(100);
    expect(ours[614]).toBe(0);
  });

  test('MACD withholds all three outputs until bar 33 for 12/26/9', () => {
    const m = ind.macd(DATASETS[0].close);
    for (const out of [m.macd, m.signal, m.hist]) {
      expect(Number.isNaN(out[32])).toBe(true);
      expect(Number.isFinite(out[33])).toBe(true);
    }
  });

  test('Bollinger bands follow TA-Lib one-pass variance, which the synthetic 95k series pulls off the exact value', () => {
    const b = DATASETS[DATASETS.length - 1];
    const [upper] = talibAligned(
      'BBANDS',
      { inReal: b.close },
      { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
      ['outRealUpperBand'],
    );
    const exactUpper = new Float64Array(b.close.length).fill(Number.NaN);
    for (let i = 19; i < b.close.length; i++) {
      const window = b.close.subarray(i - 19, i + 1);
      const mean = window.reduce((s, x) => s + x, 0) / 20;
      const variance = window.reduce((s, x) => s + (x - mean) ** 2, 0) / 20;
      exactUpper[i] = mean + 2 * Math.sqrt(variance);
    }
    // An exact two-pass implementation would fail the TA-Lib tolerance on this series; ours does not.
    expect(maxRelativeDifference(exactUpper, upper)).toBeGreaterThan(TOLERANCE);
    expect(maxRelativeDifference(ind.bbands(b.close).upper, upper)).toBeLessThanOrEqual(TOLERANCE);
  });

  test('equal up and down moves count as neither +DM nor -DM', () => {
    // Outside bars widening by 1 on both sides: every move is a tie, so both DIs and ADX are 0.
    const n = 40;
    const high = Float64Array.from({ length: n }, (_, i) => 100 + i);
    const low = Float64Array.from({ length: n }, (_, i) => 100 - i);
    const close = new Float64Array(n).fill(100);
    const hlc = { high, low, close };
    for (const [name, ours] of [
      ['PLUS_DI', ind.plusDi(high, low, close)],
      ['MINUS_DI', ind.minusDi(high, low, close)],
      ['ADX', ind.adx(high, low, close)],
    ] as const) {
      const ref = talibAligned(name, hlc, { optInTimePeriod: 14 }, ['outReal'])[0];
      expect(maxRelativeDifference(ours, ref)).toBe(0);
      expect(ours.filter((x) => !Number.isNaN(x)).every((x) => x === 0)).toBe(true);
    }
  });

  test('OBV starts at the first bar volume', () => {
    const b = DATASETS[0];
    expect(ind.obv(b.close, b.volume)[0]).toBe(b.volume[0]);
  });
});

describe('argument checks', () => {
  const x = new Float64Array(50);
  test.each([
    ['a period below the TA-Lib minimum', () => ind.sma(x, 1)],
    ['a fractional period', () => ind.rsi(x, 14.5)],
    ['a period above 100000', () => ind.ema(x, 100_001)],
    ['a MACD signal period of 1 (broken in TA-Lib)', () => ind.macd(x, 12, 26, 1)],
    ['a ±DI period of 1', () => ind.plusDi(x, x, x, 1)],
    ['a non-finite deviation multiplier', () => ind.bbands(x, 20, Number.NaN)],
    ['inputs of different lengths', () => ind.atr(x, x, x.subarray(1))],
  ])('reject %s', (_what, call) => {
    expect(call).toThrow(RangeError);
  });
});

describe('a year of 1-minute bars (525,600)', () => {
  const year = syntheticBars(525_600);

  test('every indicator returns full-length outputs, finite after its lookback', () => {
    for (const c of INDICATOR_CASES) {
      for (const out of c.ours(year)) {
        expect(out).toHaveLength(525_600);
        expect(out.subarray(c.lookback).every(Number.isFinite)).toBe(true);
      }
    }
  });

  test('the feature-table indicators still match TA-Lib at that length', () => {
    for (const c of INDICATOR_CASES.filter((k) => ['rsi(14)', 'macd(12,26,9)', 'bbands(20,2,2)', 'atr(14)'].includes(k.label))) {
      expectMatchesTalib(c, year);
    }
  });
});
