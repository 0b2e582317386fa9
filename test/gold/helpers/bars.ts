import fs from 'node:fs';
import path from 'node:path';
import { testdataPath } from '../../helpers/testdata';
import { seededRandom } from '../../../lib/simulator/market/rng';

/** Parallel OHLCV columns of 1-minute bars. */
export interface Bars {
  readonly label: string;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export const KLINES_DIR = testdataPath('binance_um_futures_klines_1m');
export const KLINE_FILES = ['LINKUSDT-1m-2023-02', 'AVAXUSDT-1m-2023-09', 'FILUSDT-1m-2024-10'] as const;

/** Reads a Binance kline CSV (header open_time,open,high,low,close,volume,...). */
export function readKlines(name: string): Bars {
  const lines = fs
    .readFileSync(path.join(KLINES_DIR, `${name}.csv`), 'utf8')
    .trim()
    .split('\n');
  if (!lines[0].startsWith('open_time,open,high,low,close,volume')) throw new Error(`unexpected header in ${name}`);
  const n = lines.length - 1;
  const bars = allocate(name, n);
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1].split(',');
    bars.open[i] = Number(f[1]);
    bars.high[i] = Number(f[2]);
    bars.low[i] = Number(f[3]);
    bars.close[i] = Number(f[4]);
    bars.volume[i] = Number(f[5]);
  }
  return bars;
}

/**
 * A deterministic random walk around 95,000 (BTC-like) with 0.1 ticks: large prices with small moves are where a
 * one-pass variance (TA-Lib's) drifts from the exact one. Flat, zero-volume halts exercise the zero rules: the
 * first 30 bars (RSI/ADX seeds of exactly 0), 40 bars in every 500 (zero range and flow for STOCH, WILLR, CCI,
 * MFI) and, when n allows, 600 bars from bar 10,000, long enough for Wilder averages (RSI, ADX) to decay through
 * 1e-8 down below TA-Lib's 1e-14 epsilon.
 */
export function syntheticBars(n: number, seed = 42): Bars {
  const random = seededRandom(seed);
  const bars = allocate(`synthetic-95k-${n}`, n);
  let price = 95_000;
  for (let i = 0; i < n; i++) {
    const open = price;
    if (isHalt(i)) {
      bars.open[i] = bars.high[i] = bars.low[i] = bars.close[i] = open;
      bars.volume[i] = 0;
      continue;
    }
    const close = tick(open + (random() - 0.5) * 40);
    bars.open[i] = open;
    bars.close[i] = close;
    bars.high[i] = tick(Math.max(open, close) + random() * 8);
    bars.low[i] = tick(Math.min(open, close) - random() * 8);
    bars.volume[i] = Math.round(random() * 50_000) / 1000;
    price = close;
  }
  return bars;
}

/** The first n bars (a copy). */
export function head(bars: Bars, n: number): Bars {
  return {
    label: `${bars.label}[0..${n})`,
    open: bars.open.slice(0, n),
    high: bars.high.slice(0, n),
    low: bars.low.slice(0, n),
    close: bars.close.slice(0, n),
    volume: bars.volume.slice(0, n),
  };
}

function isHalt(i: number): boolean {
  return i < 30 || i % 500 >= 460 || (i >= 10_000 && i < 10_600);
}

function allocate(label: string, n: number): Bars {
  return {
    label,
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

function tick(x: number): number {
  return Math.round(x * 10) / 10;
}
