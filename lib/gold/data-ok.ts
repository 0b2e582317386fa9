import { GoldInput, type GoldInputName } from '../schema/gold-inputs';
import { dayStart } from '../storage/lake-paths';
import { PERPETUAL_EXCHANGE, perpetualFor } from './perp-mapping';

/**
 * Which inputs a Gold row had (the `inputs` bitmask) and which it needed (the rule behind `data_ok`). The rule is
 * here and only here; docs/features.md is generated from GOLD_INPUTS, the registry's column description from the
 * bits in lib/schema/gold-inputs.ts.
 *
 * A row is data_ok when every input expected for its market at that minute is present and usable, and every
 * required feature is past its warm-up. What is expected follows from what can be had for that minute:
 * - candles always: they are the table's subject;
 * - a perpetual's own funding and open interest always: the exchange publishes their history, so a perpetual minute
 *   without them is incomplete, not unobtainable (an archive month of klines alone is not data_ok); its liquidations
 *   with them, since the force-order stream shares the mark-price stream's connection;
 * - order-book snapshots from the first day the lake holds them for the market: nobody publishes past snapshots,
 *   so history imported from archives cannot have them, but once collection has begun a minute without one is a gap;
 * - on Binance spot, the mapped perpetual's inputs from the first day the lake holds them (the same venue, so a
 *   lake that collects the perpetual collects it for its spot markets); Kraken and Binance.US serve users who
 *   may not reach Binance at all, so their rows use Binance's perpetual when it is there and never need it;
 * - daily bars never: the daily-context features are optional, their depth (up to 200 days) varies by market.
 */

// The bits themselves are the schema's (lib/schema/gold-inputs.ts); re-exported for Gold's own modules.
export { ALL_GOLD_INPUTS, GoldInput, inputBitList, type GoldInputName } from '../schema/gold-inputs';

/** A funding or open-interest reading older than this counts as missing (a dead stream shows as nulls, not old values). */
export const PERPETUAL_STALE_MS = 3_600_000;
const STALE_MINUTES = PERPETUAL_STALE_MS / 60_000;

export interface GoldInputDoc {
  readonly name: GoldInputName;
  /** When the bit is set on a row. */
  readonly present: string;
  /** When data_ok needs it. */
  readonly expected: string;
}

export const GOLD_INPUTS: readonly GoldInputDoc[] = [
  {
    name: 'KLINE_1M',
    present: "the row's own Silver 1m candle exists and carries none of the untrusted quality flags",
    expected: 'always',
  },
  {
    name: 'KLINE_5M',
    present:
      'the 5m candle (derived from Silver 1m) closing at the last 5-minute boundary at or before ts exists ' +
      'and is untrusted-flag free (a missing minute inside it makes it PARTIAL)',
    expected: 'always',
  },
  {
    name: 'KLINE_15M',
    present: 'the same for the 15m candle closing at the last 15-minute boundary at or before ts',
    expected: 'always',
  },
  { name: 'DAILY', present: 'the daily bar of the last UTC day completed at or before ts exists', expected: 'never' },
  {
    name: 'BOOK',
    present: "at least one Silver book_top10 snapshot falls inside the row's minute",
    expected: 'from the first day the lake holds book_top10 for the market (no archive has past snapshots)',
  },
  {
    name: 'FUNDING',
    present:
      "the latest mark-price/funding event before ts of the market's perpetual (itself, or the one lib/gold/perp-mapping.ts " +
      `maps it to) is at most ${STALE_MINUTES} minutes old`,
    expected:
      "always on a perpetual (binance-futures); on Binance spot from the first day the lake holds the mapped perpetual's " +
      'funding; never on other exchanges',
  },
  {
    name: 'OPEN_INTEREST',
    present: `the perpetual's latest open-interest reading before ts is at most ${STALE_MINUTES} minutes old`,
    expected: "as FUNDING, counting from the first day of the perpetual's open interest",
  },
  {
    name: 'LIQUIDATIONS',
    present:
      "the lake holds the perpetual's liquidations or its funding for the day or the day before (the stream writes " +
      'nothing in a quiet hour, which counts as zero liquidations)',
    expected: 'as FUNDING: the force-order stream shares its connection',
  },
];

/** For each input, the first open time (ms) from which rows need it; an input not listed is never needed. */
export type InputExpectation = Readonly<Partial<Record<GoldInputName, number>>>;

/** First day the lake holds each optional input for a market (its perpetual's, for funding and open interest). */
export interface InputCoverage {
  readonly book?: string | null;
  readonly funding?: string | null;
  readonly openInterest?: string | null;
}

const ALWAYS = -Infinity;
const CANDLES: InputExpectation = { KLINE_1M: ALWAYS, KLINE_5M: ALWAYS, KLINE_15M: ALWAYS };
/** Exchanges whose markets need the mapped perpetual once the lake has it: the perpetual's own venue. */
const PERPETUAL_VENUE = new Set(['binance', PERPETUAL_EXCHANGE]);

const since = (dt: string | null | undefined): number | undefined => (dt ? dayStart(dt) : undefined);

/** The rule: which inputs a market's rows need, and from when. Without a market only the candles are needed. */
export function expectedInputs(exchange?: string, symbol?: string, coverage: InputCoverage = {}): InputExpectation {
  const out: Partial<Record<GoldInputName, number | undefined>> = { ...CANDLES };
  if (exchange === undefined || symbol === undefined) return out;
  out.BOOK = since(coverage.book);
  if (exchange === PERPETUAL_EXCHANGE) {
    out.FUNDING = out.OPEN_INTEREST = out.LIQUIDATIONS = ALWAYS;
  } else if (PERPETUAL_VENUE.has(exchange) && perpetualFor(exchange, symbol)) {
    out.FUNDING = out.LIQUIDATIONS = since(coverage.funding);
    out.OPEN_INTEREST = since(coverage.openInterest);
  }
  return Object.fromEntries(Object.entries(out).filter(([, from]) => from !== undefined));
}

/** The GoldInput bits a row whose candle opens at `openTime` needs. */
export function requiredInputs(expected: InputExpectation, openTime: number): number {
  let mask = 0;
  for (const [name, from] of Object.entries(expected) as [GoldInputName, number][]) if (from <= openTime) mask |= GoldInput[name];
  return mask;
}

/** data_ok of one row: every needed input present, every required feature warmed up. */
export function isDataOk(inputs: number, required: number, featuresReady: boolean): boolean {
  return featuresReady && (inputs & required) === required;
}

export function inputNames(mask: number): GoldInputName[] {
  return GOLD_INPUTS.map((d) => d.name).filter((n) => (mask & GoldInput[n]) !== 0);
}

export interface InputSummary {
  /** Inputs needed on at least one of the rows. */
  expected: GoldInputName[];
  /** Rows on which each needed input was absent (only inputs with such rows); each of those rows is not data_ok. */
  missingRows: Partial<Record<GoldInputName, number>>;
}

/** What the Gold report says of a partition's inputs, from its `inputs` and `open_time` columns. */
export function summarizeInputs(inputs: Float64Array, openTime: Float64Array, expected: InputExpectation): InputSummary {
  let anyRequired = 0;
  const missing: Partial<Record<GoldInputName, number>> = {};
  for (let m = 0; m < inputs.length; m++) {
    const required = requiredInputs(expected, openTime[m]);
    anyRequired |= required;
    const absent = required & ~inputs[m];
    if (absent) for (const n of inputNames(absent)) missing[n] = (missing[n] ?? 0) + 1;
  }
  return { expected: inputNames(anyRequired), missingRows: missing };
}
