import fs from 'node:fs';
import fc from 'fast-check';
import { type ArchiveFile, type ArchiveFileKey, archiveDataset, archiveFile } from '../../lib/exchanges/binance/archive-layout';
import type { ExchangeId } from '../../lib/schema/columns';
import { aggTradesRows } from '../../lib/history/archive-rows/agg-trades';
import { parseUtcText } from '../../lib/history/archive-rows/archive-fields';
import { bookDepthRows } from '../../lib/history/archive-rows/book-depth';
import { bookTickerRows } from '../../lib/history/archive-rows/book-ticker';
import { fundingRateRows } from '../../lib/history/archive-rows/funding-rate';
import { metricsOpenInterestRows, metricsRatiosRows } from '../../lib/history/archive-rows/metrics';
import { type ArchiveReject, type ArchiveRowMapper, isArchiveReject } from '../../lib/history/archive-row-mapper';
import { reasonKind } from '../../lib/history/import-lines';
import { columnNames } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { validateRow } from '../../lib/schema/validate';
import { archiveCsv } from '../../lib/simulator/archive/archive-csv';
import { testdataPath } from '../helpers/testdata';
import { MarketModel } from '../../lib/simulator/market/market-model';
import { PerpetualDerivatives } from '../../lib/simulator/personality/binance-futures-derivatives';

/**
 * The archive row mappers (docs/history.md, "Archive rows in Bronze"): Binance's own example lines where the shared
 * test data has them, every line of the simulator's archive files, each time format, the rejects and their reasons,
 * and that no mutated line throws.
 */

const SYMBOL = 'BTCUSDT';
/** The import's read time: after every file below, so no time is in the future. */
const INGEST_MS = Date.parse('2025-01-03T00:00:00Z');

const fileOf = (key: Omit<ArchiveFileKey, 'symbol'>): ArchiveFile => archiveFile({ symbol: SYMBOL, ...key });
const exchangeOf = (file: ArchiveFile): ExchangeId => (file.market === 'spot' ? 'binance' : 'binance-futures');
const contextOf = (file: ArchiveFile) => ({ file, exchange: exchangeOf(file), symbol: SYMBOL, ingestMs: INGEST_MS });

const FILES = {
  umAggTrades: fileOf({ market: 'futures/um', dataset: 'aggTrades', period: 'daily', date: '2024-12-30' }),
  spotAggTradesMs: fileOf({ market: 'spot', dataset: 'aggTrades', period: 'daily', date: '2024-12-31' }),
  spotAggTradesUs: fileOf({ market: 'spot', dataset: 'aggTrades', period: 'daily', date: '2025-01-01' }),
  fundingRate: fileOf({ market: 'futures/um', dataset: 'fundingRate', period: 'monthly', date: '2024-11' }),
  metrics: fileOf({ market: 'futures/um', dataset: 'metrics', period: 'daily', date: '2024-12-30' }),
  bookDepth: fileOf({ market: 'futures/um', dataset: 'bookDepth', period: 'daily', date: '2024-12-30' }),
  bookTicker: fileOf({ market: 'futures/um', dataset: 'bookTicker', period: 'daily', date: '2024-03-30' }),
};

/** Maps a line, expecting a row; the reject reason is the failure message otherwise. */
function rowOf(mapper: ArchiveRowMapper, file: ArchiveFile, fields: readonly string[]): Row {
  const out = mapper.map(fields, contextOf(file));
  if (isArchiveReject(out)) throw new Error(`rejected ${fields.join(',')}: ${out.reject}`);
  return out;
}

/** Maps a line, expecting a reject. */
function rejectOf(mapper: ArchiveRowMapper, file: ArchiveFile, fields: readonly string[]): string {
  const out = mapper.map(fields, contextOf(file));
  if (!isArchiveReject(out)) throw new Error(`accepted ${fields.join(',')}: ${JSON.stringify(out)}`);
  return out.reject;
}

const meta = { base: 'BTC', quote: 'USDT', ingest_time: INGEST_MS, source: 'archive' };

describe('archive rows: Binance example lines (shared test data)', () => {
  const exampleLine = (name: string): string[] =>
    fs.readFileSync(testdataPath('binance_docs/public_data_readme_examples', name), 'utf8').trim().split(',');

  it('maps the 2025 spot aggTrades example, microseconds and True/False, to every agg_trades column', () => {
    const fields = exampleLine('spot_aggTrades_example_2025_microseconds.csv');
    expect(fields).toEqual(['0', '0.20000000', '50.00000000', '0', '0', '1735689600010866', 'False', 'True']);
    expect(rowOf(aggTradesRows, FILES.spotAggTradesUs, fields)).toEqual({
      agg_trade_id: 0,
      event_time: Date.parse('2025-01-01T00:00:00.010Z'),
      price: 0.2,
      qty: 50,
      first_trade_id: 0,
      last_trade_id: 0,
      is_buyer_maker: false,
      is_best_match: true,
      ...meta,
    });
  });

  it('refuses the USD-M aggTrades example: the README reuses a 2017 spot row, from before USD-M existed', () => {
    const fields = exampleLine('um_futures_aggTrades_example.csv');
    expect(fields).toEqual(['26129', '0.01633102', '4.70443515', '27781', '27781', '1498793709153', 'true']);
    const file = fileOf({ market: 'futures/um', dataset: 'aggTrades', period: 'daily', date: '2017-06-30' });
    expect(rejectOf(aggTradesRows, file, fields)).toBe(
      "transact_time before binance-futures's first data (2019-09-01): 2017-06-30T03:35:09.153Z",
    );
  });
});

describe('archive rows: the simulated archive, every line', () => {
  const model = new MarketModel({
    seed: 3,
    symbols: [SYMBOL],
    anchorMs: INGEST_MS,
    instruments: { [SYMBOL]: { tradesPerMinute: 6 } },
  });
  const derivatives = new PerpetualDerivatives(model);
  /** The file's data lines split into fields (the USD-M header is skipped, as the importer does). */
  const linesOf = (file: ArchiveFile): string[][] => {
    const csv = archiveCsv(file, { model, derivatives, listedFromMs: 0 });
    const lines = (csv ?? '').trim().split('\n');
    const header = archiveDataset(file.market, file.dataset)?.columns.join(',');
    if (file.market === 'futures/um') expect(lines.shift()).toBe(header);
    expect(lines.length).toBeGreaterThan(0);
    return lines.map((line) => line.split(','));
  };
  /** Every line maps to a row of exactly the mapper's Bronze columns that the registry accepts. */
  const mapAll = (mapper: ArchiveRowMapper, file: ArchiveFile): { lines: string[][]; rows: Row[] } => {
    const lines = linesOf(file);
    const rows = lines.map((fields) => rowOf(mapper, file, fields));
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(columnNames(mapper.bronze).sort());
      expect(validateRow(mapper.bronze, row)).toBeNull();
    }
    return { lines, rows };
  };
  const ms = (text: string) => Number(text);
  const us = (text: string) => Math.floor(Number(text) / 1000);

  it.each([
    ['USD-M, ms', FILES.umAggTrades, ms],
    ['spot before 2025, ms', FILES.spotAggTradesMs, ms],
    ['spot from 2025, µs', FILES.spotAggTradesUs, us],
  ] as const)('aggTrades (%s) → agg_trades', (_label, file, toMs) => {
    const { lines, rows } = mapAll(aggTradesRows, file);
    const spot = file.market === 'spot';
    lines.forEach((fields, index) => {
      expect(rows[index]).toEqual({
        agg_trade_id: Number(fields[0]),
        price: Number(fields[1]),
        qty: Number(fields[2]),
        first_trade_id: Number(fields[3]),
        last_trade_id: Number(fields[4]),
        event_time: toMs(fields[5]),
        is_buyer_maker: fields[6] === (spot ? 'True' : 'true'),
        is_best_match: spot ? fields[7] === 'True' : null,
        ...meta,
      });
    });
    expect(new Set(rows.map((row) => row.is_buyer_maker))).toEqual(new Set([true, false]));
    expect(rows.every((row) => (row.event_time as number) >= Date.parse(`${file.firstDay}T00:00:00Z`))).toBe(true);
  });

  it('fundingRate → funding_rates: calc_time, the interval and the settled rate', () => {
    const { lines, rows } = mapAll(fundingRateRows, FILES.fundingRate);
    expect(rows).toHaveLength(30 * 3);
    lines.forEach((fields, index) => {
      expect(rows[index]).toEqual({
        event_time: Number(fields[0]),
        funding_interval_hours: 8,
        funding_rate: Number(fields[2]),
        ...meta,
      });
    });
  });

  it('metrics → open_interest and long_short_ratios, times read from UTC text', () => {
    const oi = mapAll(metricsOpenInterestRows, FILES.metrics);
    const ratios = mapAll(metricsRatiosRows, FILES.metrics);
    expect(oi.rows).toHaveLength(288);
    oi.lines.forEach((fields, index) => {
      const eventTime = Date.parse(`${fields[0].replace(' ', 'T')}Z`);
      expect(oi.rows[index]).toEqual({
        event_time: eventTime,
        open_interest: Number(fields[2]),
        open_interest_value: Number(fields[3]),
        ...meta,
      });
      const optional = (text: string) => (text === '' ? null : Number(text));
      expect(ratios.rows[index]).toEqual({
        event_time: eventTime,
        top_trader_account_ratio: Number(fields[4]),
        top_trader_position_ratio: Number(fields[5]),
        global_account_ratio: Number(fields[6]),
        taker_buy_sell_ratio: optional(fields[7]),
        ...meta,
      });
    });
    expect(oi.rows[0].event_time).toBe(Date.parse('2024-12-30T00:00:00Z'));
    expect(oi.rows[287].event_time).toBe(Date.parse('2024-12-30T23:55:00Z'));
  });

  it('bookDepth → book_depth: one row per snapshot and band', () => {
    const { lines, rows } = mapAll(bookDepthRows, FILES.bookDepth);
    expect(rows).toHaveLength(2880 * 10);
    lines.forEach((fields, index) => {
      expect(rows[index]).toEqual({
        event_time: Date.parse(`${fields[0].replace(' ', 'T')}Z`),
        percentage: Number(fields[1]),
        depth: Number(fields[2]),
        notional: Number(fields[3]),
        ...meta,
      });
    });
    expect(rows.slice(0, 10).map((row) => row.percentage)).toEqual([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]);
    expect(rows[10].event_time).toBe(Date.parse('2024-12-30T00:00:30Z'));
  });

  it('bookTicker → quotes: event_time is the event time, as the collector keeps it', () => {
    const { lines, rows } = mapAll(bookTickerRows, FILES.bookTicker);
    lines.forEach((fields, index) => {
      expect(rows[index]).toEqual({
        update_id: Number(fields[0]),
        bid_px: Number(fields[1]),
        bid_sz: Number(fields[2]),
        ask_px: Number(fields[3]),
        ask_sz: Number(fields[4]),
        event_time: Number(fields[6]),
        ...meta,
      });
      expect(Number(fields[6])).toBeGreaterThan(Number(fields[5]));
    });
  });
});

/** One valid line per mapper and file, to break one field at a time. */
const CASES = {
  umAgg: { mapper: aggTradesRows, file: FILES.umAggTrades, line: '7,95000.10,0.012,7,9,1735516823292,true' },
  spotAgg: {
    mapper: aggTradesRows,
    file: FILES.spotAggTradesUs,
    line: '7,95000.10000000,0.01200000,7,9,1735689643759123,True,True',
  },
  funding: { mapper: fundingRateRows, file: FILES.fundingRate, line: '1730419200002,8,0.00010000' },
  oi: {
    mapper: metricsOpenInterestRows,
    file: FILES.metrics,
    line: '2024-12-30 00:05:00,BTCUSDT,104.9,6844567.3,1.8,1.5,2.2,0.6',
  },
  ratios: { mapper: metricsRatiosRows, file: FILES.metrics, line: '2024-12-30 00:05:00,BTCUSDT,104.9,6844567.3,1.8,1.5,2.2,0.6' },
  depth: { mapper: bookDepthRows, file: FILES.bookDepth, line: '2024-12-30 00:00:30,-1,5.12,326858.5' },
  ticker: {
    mapper: bookTickerRows,
    file: FILES.bookTicker,
    line: '18115157195,94824.46,0.00357,94824.47,0.01450,1711756800500,1711756800501',
  },
} satisfies Record<string, { mapper: ArchiveRowMapper; file: ArchiveFile; line: string }>;
type CaseName = keyof typeof CASES;

/** The case's line with some fields replaced (by index), mapped. */
function mapEdited(name: CaseName, edits: Record<number, string> = {}): Row | ArchiveReject {
  const { mapper, file, line } = CASES[name];
  const fields = line.split(',').map((field, index) => edits[index] ?? field);
  return mapper.map(fields, contextOf(file));
}
const reasonOf = (name: CaseName, edits: Record<number, string>): string | undefined => {
  const out = mapEdited(name, edits);
  return isArchiveReject(out) ? out.reject : undefined;
};

describe('archive rows: time formats', () => {
  it('reads every case line as a row', () => {
    for (const name of Object.keys(CASES) as CaseName[]) expect(isArchiveReject(mapEdited(name))).toBe(false);
  });

  it('keeps the whole milliseconds of a µs time, and reads UTC text as UTC whatever the local zone', () => {
    expect(mapEdited('spotAgg')).toMatchObject({ event_time: 1735689643759 });
    expect(mapEdited('depth')).toMatchObject({ event_time: Date.UTC(2024, 11, 30, 0, 0, 30) });
    expect(parseUtcText('2024-02-29 23:59:59')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    for (const bad of [
      '2024-02-30 00:00:00',
      '2024-12-30T00:00:00',
      '2024-12-30 24:00:00',
      '2024-12-30',
      '0050-01-01 00:00:00',
    ]) {
      expect(parseUtcText(bad)).toBeNull();
    }
  });

  it('refuses a time in another format than the file', () => {
    expect(reasonOf('umAgg', { 5: '1735516823292000' })).toBe(
      "transact_time unit differs from the file's: '1735516823292000' is microseconds, the file's times are milliseconds",
    );
    expect(reasonOf('spotAgg', { 5: '1735689643759' })).toMatch(
      /^transact_time unit differs from the file's: .* is milliseconds/,
    );
    expect(reasonOf('depth', { 0: '1735516830000' })).toBe("timestamp is not a 'YYYY-MM-DD HH:MM:SS' time: '1735516830000'");
    expect(reasonOf('oi', { 0: '2024-12-30T00:05:00Z' })).toBe(
      "create_time is not a 'YYYY-MM-DD HH:MM:SS' time: '2024-12-30T00:05:00Z'",
    );
    expect(reasonOf('funding', { 0: '' })).toBe("calc_time is not a time: ''");
  });
});

describe('archive rows: rejects name the rule', () => {
  it('wrong column count', () => {
    expect(aggTradesRows.map(CASES.umAgg.line.split(',').slice(0, 6), contextOf(FILES.umAggTrades))).toEqual({
      reject: 'expected 7 columns, got 6',
    });
    // A USD-M line in a spot file lacks is_best_match.
    expect(aggTradesRows.map(CASES.umAgg.line.split(','), contextOf(FILES.spotAggTradesUs))).toEqual({
      reject: 'expected 8 columns, got 7',
    });
    expect(bookDepthRows.map([...CASES.depth.line.split(','), ''], contextOf(FILES.bookDepth))).toEqual({
      reject: 'expected 4 columns, got 5',
    });
  });

  it('bad numbers and integers', () => {
    expect(reasonOf('umAgg', { 1: 'abc' })).toBe("price is not a number: 'abc'");
    expect(reasonOf('umAgg', { 2: '' })).toBe("quantity is not a number: ''");
    expect(reasonOf('umAgg', { 1: '0x1f' })).toBe("price is not a number: '0x1f'");
    expect(reasonOf('umAgg', { 1: '1e999' })).toBe("price is not finite: '1e999'");
    expect(reasonOf('umAgg', { 0: '-1' })).toBe("agg_trade_id is not an integer: '-1'");
    expect(reasonOf('umAgg', { 3: '1.5' })).toBe("first_trade_id is not an integer: '1.5'");
    expect(reasonOf('umAgg', { 4: '9007199254740993' })).toBe("last_trade_id is beyond 2^53: '9007199254740993'");
    expect(reasonOf('funding', { 1: 'eight' })).toBe("funding_interval_hours is not an integer: 'eight'");
    expect(reasonOf('ticker', { 0: '' })).toBe("update_id is not an integer: ''");
    expect(reasonKind("price is not a number: 'abc'")).toBe('price is not a number');
  });

  it("the registry's ranges (validateRow)", () => {
    expect(reasonOf('umAgg', { 1: '0' })).toBe('price=0 is not > 0');
    expect(reasonOf('funding', { 1: '0' })).toBe('funding_interval_hours=0 is below 1');
    expect(reasonOf('funding', { 2: '1.5' })).toBe('funding_rate=1.5 is above 1');
    expect(reasonOf('ticker', { 2: '-0.1' })).toBe('bid_sz=-0.1 is below 0');
    expect(reasonOf('ratios', { 4: '-2' })).toBe('top_trader_account_ratio=-2 is below 0');
    expect(reasonOf('depth', { 1: '150' })).toBe('percentage=150 is above 100');
    expect(reasonKind('price=0 is not > 0')).toBe('price is not > 0');
  });

  it('times out of range: before the exchange, in the future, outside the file', () => {
    expect(reasonOf('spotAgg', { 5: '1483228800000000' })).toBe(
      "transact_time before binance's first data (2017-07-01): 2017-01-01T00:00:00.000Z",
    );
    expect(reasonOf('ticker', { 6: '1893456000000' })).toBe('event_time in the future: 2030-01-01T00:00:00.000Z');
    expect(reasonOf('funding', { 0: '1733011200001' })).toBe(
      "calc_time outside the file's days: 2024-12-01T00:00:00.001Z is not within 2024-11-01…2024-11-30",
    );
    expect(reasonOf('depth', { 0: '2024-12-29 23:59:30' })).toBe(
      "timestamp outside the file's days: 2024-12-29T23:59:30.000Z is not within 2024-12-30…2024-12-30",
    );
    expect(reasonOf('oi', { 0: '2024-12-31 00:00:00' })).toBe(
      "create_time outside the file's days: 2024-12-31T00:00:00.000Z is not within 2024-12-30…2024-12-30",
    );
    expect(mapEdited('oi', { 0: '2024-12-30 23:59:59' })).toMatchObject({ event_time: Date.UTC(2024, 11, 30, 23, 59, 59) });
    expect(reasonKind("calc_time outside the file's days: 2024-12-01T00:00:00.001Z is not within x")).toBe(
      "calc_time outside the file's days",
    );
  });

  it('booleans spelled per market', () => {
    expect(reasonOf('umAgg', { 6: 'True' })).toBe(
      "is_buyer_maker is not a boolean: 'True' (the futures/um archive writes true/false)",
    );
    expect(reasonOf('spotAgg', { 7: 'true' })).toBe(
      "is_best_match is not a boolean: 'true' (the spot archive writes True/False)",
    );
    expect(reasonOf('spotAgg', { 6: '1' })).toBe("is_buyer_maker is not a boolean: '1' (the spot archive writes True/False)");
    expect(mapEdited('spotAgg', { 6: 'True', 7: 'False' })).toMatchObject({ is_buyer_maker: true, is_best_match: false });
  });

  it('metrics: empty fields, another symbol', () => {
    expect(reasonOf('oi', { 2: '' })).toBe('sum_open_interest is empty');
    expect(mapEdited('oi', { 3: '' })).toMatchObject({ open_interest: 104.9, open_interest_value: null });
    expect(mapEdited('ratios', { 2: '', 4: '', 5: '', 6: '', 7: '' })).toMatchObject({
      top_trader_account_ratio: null,
      top_trader_position_ratio: null,
      global_account_ratio: null,
      taker_buy_sell_ratio: null,
    });
    expect(reasonOf('ratios', { 1: 'ETHUSDT' })).toBe("symbol differs from the file's: 'ETHUSDT' in a BTCUSDT file");
    expect(reasonOf('oi', { 1: 'ETHUSDT' })).toBe("symbol differs from the file's: 'ETHUSDT' in a BTCUSDT file");
  });

  it('bookDepth: any band but 0', () => {
    expect(mapEdited('depth', { 1: '-0.2' })).toMatchObject({ percentage: -0.2 });
    expect(reasonOf('depth', { 1: '0' })).toBe("percentage is not a band: '0' (bids are negative, asks positive)");
  });

  it('the first problem wins: a header line repeated mid-file', () => {
    const header = archiveDataset('futures/um', 'aggTrades')!.columns as string[];
    expect(aggTradesRows.map(header, contextOf(FILES.umAggTrades))).toEqual({
      reject: "agg_trade_id is not an integer: 'agg_trade_id'",
    });
  });

  it('throws only on a file of another dataset (a caller bug, not a bad line)', () => {
    expect(() => aggTradesRows.map(CASES.funding.line.split(','), contextOf(FILES.fundingRate))).toThrow(
      /a aggTrades mapper was given a fundingRate file/,
    );
  });
});

describe('archive rows: mutated lines', () => {
  const names = Object.keys(CASES) as CaseName[];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({ maxLength: 24 }) }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('add' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), pos: fc.nat(), digit: fc.integer({ min: 0, max: 9 }) }),
    fc.record({
      kind: fc.constant('special' as const),
      at: fc.nat(),
      text: fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e400', 'True', 'false', '９', '2024-02-30 00:00:00', '\u0000'),
    }),
  );

  it('yields a row the registry accepts or a reject with a reason, never a throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(mutation, { minLength: 1, maxLength: 4 }), (name, mutations) => {
        const { mapper, file, line } = CASES[name];
        const fields = line.split(',');
        for (const change of mutations) {
          const index = fields.length === 0 ? 0 : change.at % fields.length;
          if (change.kind === 'replace' || change.kind === 'special') fields[index] = change.text;
          else if (change.kind === 'drop') fields.splice(index, 1);
          else if (change.kind === 'add') fields.splice(index, 0, change.text);
          else if (fields.length > 0) {
            const text = fields[index];
            const pos = text.length === 0 ? 0 : change.pos % text.length;
            fields[index] = `${text.slice(0, pos)}${change.digit}${text.slice(pos + 1)}`;
          }
        }
        const out = mapper.map(fields, contextOf(file));
        if (isArchiveReject(out)) {
          expect(out.reject.length).toBeGreaterThan(0);
        } else {
          expect(validateRow(mapper.bronze, out)).toBeNull();
          expect(Object.keys(out).sort()).toEqual(columnNames(mapper.bronze).sort());
        }
      }),
      { numRuns: 2000 },
    );
  });
});
