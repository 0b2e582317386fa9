import type { BarSeries } from '../bar-series';
import type { FeatureSpec } from '../feature-spec';
import type { GoldInputs } from '../inputs';

/** What a row-level group sees: the output rows' times, the bar features already aligned to them, the inputs. */
export interface RowContext {
  readonly rows: number;
  /** Open time of the first row's 1m candle; row m's candle opens at from + m minutes and closes at ts[m]. */
  readonly from: number;
  readonly ts: Float64Array;
  readonly openTime: Float64Array;
  readonly aligned: Readonly<Record<string, Float64Array>>;
  readonly oneMinute: BarSeries;
  readonly inputs: GoldInputs;
  /**
   * Each row's GoldInput bits (see ../data-ok.ts); the candle bits are set on entry, and a group reading another
   * input sets that input's bit on the rows where it could use it.
   */
  readonly usable: Uint32Array;
}

export interface RowFeatureGroup {
  readonly specs: readonly FeatureSpec[];
  readonly compute: (ctx: RowContext) => Record<string, Float64Array>;
}
