import fs from 'node:fs';
import path from 'node:path';
import {
  ALL_GOLD_INPUTS,
  GOLD_INPUTS,
  expectedInputs,
  GoldInput,
  inputNames,
  isDataOk,
  requiredInputs,
  summarizeInputs,
  type InputCoverage,
} from '../../lib/gold/data-ok';
import { computeFeatures } from '../../lib/gold/features';
import type { GoldInputs } from '../../lib/gold/inputs';
import { dataset } from '../../lib/schema/registry';
import { addDays, dayStart } from '../../lib/storage/lake-paths';
import { Table } from '../../lib/table/table';
import { eventInputs, silver1m } from './helpers/gold-inputs';

/**
 * The `inputs` bitmask and the data_ok rule (lib/gold/data-ok.ts): which inputs each kind of market needs and
 * from when, and what a row with or without each of them gets.
 */

const DT = '2024-03-16';
const DAY = 86_400_000;
const CANDLES = GoldInput.KLINE_1M | GoldInput.KLINE_5M | GoldInput.KLINE_15M;
const CANDLE_NAMES = ['KLINE_1M', 'KLINE_5M', 'KLINE_15M'];
const PERP_NAMES = ['FUNDING', 'OPEN_INTEREST', 'LIQUIDATIONS'];
const PERP = GoldInput.FUNDING | GoldInput.OPEN_INTEREST | GoldInput.LIQUIDATIONS;
const T = 30_000;

/** 1m bars from DT's warm-up to the day after it, the given minutes of DT missing. */
const klines = (holes: number[] = []) => silver1m(addDays(DT, -12), addDays(DT, 1), { [DT]: holes });
const EVENTS = eventInputs([addDays(DT, -1), DT]);
const FULL: GoldInputs = { klines1m: klines(), ...EVENTS };

/** `t` without its rows whose event time falls in [from, to) of DT (minutes). */
function without(t: Table, fromMinute: number, toMinute: number): Table {
  const time = t.num('event_time');
  const [a, b] = [dayStart(DT) + fromMinute * 60_000, dayStart(DT) + toMinute * 60_000];
  return t.take(Array.from(time.keys()).filter((i) => !(time[i] >= a && time[i] < b)));
}

const count = (xs: ArrayLike<unknown>, f: (x: never, i: number) => boolean) =>
  Array.from(xs as ArrayLike<never>).filter(f).length;

describe('which inputs a market needs (expectedInputs)', () => {
  const covered: InputCoverage = { book: DT, funding: addDays(DT, -1), openInterest: addDays(DT, -1) };
  const at = (exchange: string, symbol: string, dt: string, coverage: InputCoverage = covered) =>
    inputNames(requiredInputs(expectedInputs(exchange, symbol, coverage), dayStart(dt)));

  it(
    'a perpetual always needs its funding, open interest and liquidations, even with none in the lake',
    () => {
      expect(at('binance-futures', 'LINKUSDT', '2023-02-14', {})).toEqual([...CANDLE_NAMES, ...PERP_NAMES]);
    },
    T,
  );

  it(
    'a market needs its order book from the first day the lake holds one, not before',
    () => {
      expect(at('binance-futures', 'BTCUSDT', addDays(DT, -1))).not.toContain('BOOK');
      expect(at('binance-futures', 'BTCUSDT', DT)).toContain('BOOK');
      expect(at('kraken', 'XBT/USD', addDays(DT, 30))).toContain('BOOK');
      expect(at('binance', 'BTCUSDT', DT, {})).not.toContain('BOOK');
    },
    T,
  );

  it(
    'Binance spot needs the mapped perpetual from the first day the lake holds it; stablecoins have none',
    () => {
      expect(at('binance', 'BTCUSDT', addDays(DT, -2))).toEqual(CANDLE_NAMES);
      expect(at('binance', 'BTCUSDT', addDays(DT, -1))).toEqual([...CANDLE_NAMES, ...PERP_NAMES]);
      expect(at('binance', 'BTCUSDT', DT, { funding: DT })).toEqual([...CANDLE_NAMES, 'FUNDING', 'LIQUIDATIONS']);
      expect(at('binance', 'USDCUSDT', DT)).toEqual([...CANDLE_NAMES, 'BOOK']);
    },
    T,
  );

  it(
    "Kraken and Binance.US never need Binance's perpetual, even when the lake holds it",
    () => {
      expect(at('kraken', 'XBT/USD', DT)).toEqual([...CANDLE_NAMES, 'BOOK']);
      expect(at('binanceus', 'BTCUSD', DT)).toEqual([...CANDLE_NAMES, 'BOOK']);
    },
    T,
  );

  it(
    'without a market only the candles are needed; daily bars never are',
    () => {
      expect(requiredInputs(expectedInputs(), 0)).toBe(CANDLES);
      for (const ex of ['binance', 'binance-futures', 'kraken']) {
        expect(requiredInputs(expectedInputs(ex, 'BTCUSDT', covered), dayStart(DT) + DAY) & GoldInput.DAILY).toBe(0);
      }
      expect(isDataOk(ALL_GOLD_INPUTS, CANDLES | PERP, false)).toBe(false);
      expect(isDataOk(CANDLES | GoldInput.DAILY, CANDLES, true)).toBe(true);
      expect(isDataOk(CANDLES | GoldInput.DAILY, CANDLES | GoldInput.FUNDING, true)).toBe(false);
    },
    T,
  );
});

describe('inputs and data_ok per row', () => {
  it(
    'a day with every input: every bit on every row, data_ok everywhere after the warm-up',
    () => {
      const expected = expectedInputs('binance', 'BTCUSDT', {
        book: DT,
        funding: addDays(DT, -1),
        openInterest: addDays(DT, -1),
      });
      const g = computeFeatures({ ...FULL, expected }, DT);
      expect(count(g.num('inputs'), (x) => x === ALL_GOLD_INPUTS)).toBe(1440);
      expect(count(g.bool('data_ok'), (x) => x === true)).toBe(1440);
      // Without the warm-up days the same inputs still give every bit, but not data_ok while indicators warm up.
      const open = FULL.klines1m.num('open_time');
      const cold = FULL.klines1m.take(Array.from(open.keys()).filter((i) => open[i] >= dayStart(DT)));
      const c = computeFeatures({ ...FULL, klines1m: cold, expected }, DT);
      const ok = c.bool('data_ok');
      const inputs = c.num('inputs');
      expect(ok[0]).toBe(false);
      expect(inputs[0] & (GoldInput.KLINE_1M | GoldInput.BOOK | PERP)).toBe(GoldInput.KLINE_1M | GoldInput.BOOK | PERP);
      expect(ok[1439]).toBe(true);
    },
    T,
  );

  it(
    'a minute without book snapshots on a market with a book: BOOK cleared, that row alone not data_ok',
    () => {
      const expected = expectedInputs('binance', 'BTCUSDT', { book: DT });
      const g = computeFeatures({ ...FULL, book: without(EVENTS.book!, 600, 601), expected }, DT);
      const inputs = g.num('inputs');
      const ok = g.bool('data_ok');
      expect([inputs[599], inputs[600], inputs[601]]).toEqual([
        ALL_GOLD_INPUTS,
        ALL_GOLD_INPUTS & ~GoldInput.BOOK,
        ALL_GOLD_INPUTS,
      ]);
      expect([ok[599], ok[600], ok[601]]).toEqual([true, false, true]);
      expect(g.num('book_snapshots_1m')[600]).toBeNaN();
      // The day before the market's first book day has no snapshots at all and does not need them.
      const before = computeFeatures({ klines1m: klines(), expected }, addDays(DT, -1));
      expect(count(before.num('inputs'), (x) => (x & GoldInput.BOOK) !== 0)).toBe(0);
      expect(count(before.bool('data_ok'), (x) => x === true)).toBe(1440);
    },
    T,
  );

  it(
    'funding or open interest older than an hour clears its bit, and data_ok only where the market needs it',
    () => {
      // Mark prices stop at 10:00 and resume at 13:00; open interest is polled throughout.
      const funding = without(EVENTS.funding!, 600, 780);
      const perpSince: InputCoverage = { funding: DT, openInterest: DT };
      const binance = computeFeatures({ ...FULL, funding, expected: expectedInputs('binance', 'BTCUSDT', perpSince) }, DT);
      const stale = Array.from({ length: 1440 }, (_, m) => m).filter((m) => !(binance.num('inputs')[m] & GoldInput.FUNDING));
      // The last reading before the hole is 09:59:31, the first after it 13:00:01: rows with ts 11:00 ... 13:00.
      expect(stale[0]).toBe(10 * 60 + 59);
      expect(stale[stale.length - 1]).toBe(12 * 60 + 59);
      expect(stale).toHaveLength(121);
      expect(stale.every((m) => Number.isNaN(binance.num('funding_rate')[m]) && binance.bool('data_ok')[m] === false)).toBe(true);
      expect(stale.every((m) => binance.num('inputs')[m] & GoldInput.OPEN_INTEREST)).toBe(true);
      expect(binance.bool('data_ok')[stale[0] - 1]).toBe(true);

      // Kraken spot with the same (Binance perpetual) inputs: features filled where there, never needed.
      const kraken = computeFeatures({ ...FULL, funding, expected: expectedInputs('kraken', 'XBT/USD', perpSince) }, DT);
      expect(Array.from(kraken.num('inputs'))).toEqual(Array.from(binance.num('inputs')));
      expect(count(kraken.bool('data_ok'), (x) => x === true)).toBe(1440);
      const alone = computeFeatures({ klines1m: klines(), expected: expectedInputs('kraken', 'XBT/USD') }, DT);
      expect(count(alone.num('inputs'), (x) => x === (CANDLES | GoldInput.DAILY))).toBe(1440);
      expect(count(alone.bool('data_ok'), (x) => x === true)).toBe(1440);
    },
    T,
  );

  it(
    'a 5m or 15m candle older than the last boundary (its successor entirely missing) is stale',
    () => {
      // 10:00-10:04 missing: the 5m bar closing 10:05 does not exist, the 15m bar closing 10:15 is PARTIAL.
      const g = computeFeatures({ klines1m: klines([600, 601, 602, 603, 604]) }, DT);
      const inputs = g.num('inputs');
      const ok = g.bool('data_ok');
      // ts 10:06 (row 605) has its own candle and a 5m value, but from the bar closing 10:00.
      expect(Number.isNaN(g.num('rsi_14_5m')[605])).toBe(false);
      expect(inputs[605] & GoldInput.KLINE_5M).toBe(0);
      expect(ok[605]).toBe(false);
      expect(inputs[609] & GoldInput.KLINE_5M).toBeTruthy(); // ts 10:10: the bar closing 10:10 is whole
      expect(inputs[614] & GoldInput.KLINE_15M).toBe(0); // ts 10:15: the PARTIAL 15m bar
      expect(inputs[629] & GoldInput.KLINE_15M).toBeTruthy();
      expect(ok[629]).toBe(true);
    },
    T,
  );

  it(
    'the Gold report counts, per needed input, the rows that lacked it',
    () => {
      const expected = expectedInputs('binance-futures', 'LINKUSDT', { book: DT });
      const g = computeFeatures({ ...FULL, book: without(EVENTS.book!, 0, 10), liquidations: null, expected }, DT);
      expect(summarizeInputs(g.num('inputs'), g.num('open_time'), expected)).toEqual({
        expected: [...CANDLE_NAMES, 'BOOK', ...PERP_NAMES],
        missingRows: { BOOK: 10, LIQUIDATIONS: 1440 },
      });
      expect(count(g.bool('data_ok'), (x) => x === true)).toBe(0);
    },
    T,
  );

  it(
    'README lists every bit with its value',
    () => {
      const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');
      for (const d of GOLD_INPUTS) expect(readme).toContain(`${GoldInput[d.name]} \`${d.name}\``);
    },
    T,
  );

  it(
    'the registry holds inputs as a non-null int32 in 0 ... every bit',
    () => {
      const col = dataset('gold', 'features_1m').columns.find((c) => c.name === 'inputs');
      expect(col).toMatchObject({ type: 'int32', nullable: false, min: 0, max: 255 });
      expect(col!.description).toContain(
        '1 KLINE_1M, 2 KLINE_5M, 4 KLINE_15M, 8 DAILY, 16 BOOK, 32 FUNDING, 64 OPEN_INTEREST, ' + '128 LIQUIDATIONS',
      );
    },
    T,
  );
});
