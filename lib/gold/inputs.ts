import type { Table } from '../table/table';
import type { InputExpectation } from './data-ok';

/**
 * Everything Gold reads for a range of rows. Only `klines1m` is required; the rest are null where the lake has no
 * such data (archive imports have no book; spot markets without a listed perpetual have no funding). Whether a
 * missing input keeps rows out of data_ok is `expected`, not whether the table is there.
 */
export interface GoldInputs {
  /** Silver 1m bars sorted by open time: the warm-up, the range, and (for labels only) what follows it. */
  readonly klines1m: Table;
  /** Silver 1d bars of completed days (daily context); derived from `klines1m` when null. */
  readonly daily?: Table | null;
  /** Silver book_top10 snapshots of the range, sorted by event time. */
  readonly book?: Table | null;
  /** The perpetual's Silver funding, open interest and liquidations, from an hour before the range. */
  readonly funding?: Table | null;
  readonly openInterest?: Table | null;
  readonly liquidations?: Table | null;
  /** Which inputs the market's rows need and from when (`expectedInputs`); without it only the candles are needed. */
  readonly expected?: InputExpectation;
}
