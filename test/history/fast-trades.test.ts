import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { splitFields } from '../../lib/history/archive-source';
import { type ArchiveLineContext, isArchiveReject } from '../../lib/history/archive-row-mapper';
import { tradesMapper } from '../../lib/history/archive-rows/trades';
import { DayRows } from '../../lib/history/day-rows';
import { archiveFileOfName } from '../../lib/history/import-archive-dataset';
import { encodeParquet } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import type { Row } from '../../lib/schema/types';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { Table } from '../../lib/table/table';

/**
 * The shortcuts of the per-file importer (lib/history/archive-file-import.ts) give what the plain path gives: the
 * trades line parser accepts only lines tradesMapper accepts, with the same values, and a day streamed row group by
 * row group (lib/history/day-rows.ts) is the same object as putTable of the whole day sorted.
 */

const INGEST = Date.parse('2026-01-01T00:00:00Z');
const context = (name: string, market: 'spot' | 'futures/um'): ArchiveLineContext => ({
  file: archiveFileOfName(name, 'trades', market),
  exchange: market === 'spot' ? 'binance' : 'binance-futures',
  symbol: 'BTCUSDT',
  ingestMs: INGEST,
});
const SPOT = context('BTCUSDT-trades-2025-03-01.csv', 'spot');
const USDM = context('BTCUSDT-trades-2024-03-01.csv', 'futures/um');
const DAY_US = Date.parse('2025-03-01T00:00:00Z') * 1000;
const DAY_MS = Date.parse('2024-03-01T00:00:00Z');

/** The parser's verdict next to the mapper's: equal rows when the parser accepts. */
function agree(ctx: ArchiveLineContext, text: string): boolean {
  const mapped = tradesMapper.map(splitFields(text), ctx);
  const template = tradesMapper.map(splitFields(ctx === SPOT ? `1,1,1,1,${DAY_US},True,True` : `1,1,1,1,${DAY_MS},true`), ctx);
  if (isArchiveReject(template)) throw new Error(`template rejected: ${template.reject}`);
  const parser = tradesMapper.lineParser!(ctx, template);
  const row: Row = { ...template };
  if (!parser.parse(text, row)) return true;
  return !isArchiveReject(mapped) && JSON.stringify(mapped) === JSON.stringify(row);
}

describe('trades line parser', () => {
  it('accepts plain lines with the values tradesMapper reads', () => {
    const line = `4000000123,85000.12000000,0.00100000,85.00012000,${DAY_US + 123_456},True,True`;
    expect(agree(SPOT, line)).toBe(true);
    const parser = tradesMapper.lineParser!(SPOT, {});
    expect(parser.parse(line, {})).toBe(true);
    expect(agree(USDM, `77,61000.5,0.002,122.001,${DAY_MS + 5},false`)).toBe(true);
  });

  it('never accepts a line tradesMapper refuses or reads differently', () => {
    const digits = fc.stringMatching(/^[0-9]{1,18}$/);
    const decimal = fc.oneof(
      fc.stringMatching(/^[0-9]{0,6}\.?[0-9]{0,9}$/),
      fc.constantFrom('', ' 1', '1e5', '-1', '0', '"2"', '.'),
    );
    const time = fc.oneof(
      fc.integer({ min: 0, max: 86_400_000_000 + 10 }).map((offset) => String(DAY_US + offset)),
      fc.integer({ min: 0, max: 86_400_000 + 10 }).map((offset) => String(DAY_MS + offset)),
      digits,
    );
    const bool = fc.constantFrom('True', 'False', 'true', 'false', 'TRUE', '', 'True ');
    fc.assert(
      fc.property(
        digits,
        decimal,
        decimal,
        decimal,
        time,
        bool,
        bool,
        fc.boolean(),
        (id, price, qty, quote, at, maker, best, spot) => {
          const fields = spot ? [id, price, qty, quote, at, maker, best] : [id, price, qty, quote, at, maker];
          return agree(spot ? SPOT : USDM, fields.join(','));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('reads a line inside a larger text as it reads the line alone', () => {
    const parser = tradesMapper.lineParser!(SPOT, {});
    const line = `4000000123,85000.12000000,0.00100000,85.00012000,${DAY_US + 123_456},False,True`;
    expect(parser.read(line, 0, line.length)).toBe(true);
    const alone = Array.from(parser.values);
    const text = `garbage,1\n${line}\n9,9`;
    const from = text.indexOf('\n') + 1;
    expect(parser.read(text, from, from + line.length)).toBe(true);
    expect(Array.from(parser.values)).toEqual(alone);
    expect(alone).toEqual([4000000123, Math.floor(DAY_US / 1000) + 123, 85000.12, 0.001, 85.00012, 0]);
    // The bound is the line's end: the next line's text is not read as part of it.
    expect(parser.read(text, from, from + line.length - 5)).toBe(false);
  });
});

describe('DayRows', () => {
  const spec = dataset('bronze', 'trades');
  const rowAt = (index: number, time: number): Row => ({
    trade_id: index,
    event_time: time,
    price: 100 + (index % 7),
    qty: 1,
    quote_qty: 100 + (index % 7),
    is_buyer_maker: index % 2 === 0,
    base: 'BTC',
    quote: 'USDT',
    ingest_time: INGEST,
    source: 'archive',
  });

  async function written(times: number[]): Promise<{ got: Buffer; want: Uint8Array }> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'day-rows-'));
    try {
      const store = new LocalObjectStore(root);
      const day = new DayRows(spec);
      const rows = times.map((time, index) => rowAt(index, time));
      for (const row of rows) await day.push(row);
      await day.put(store, 'x/day.parquet');
      const order = rows.map((_, index) => index).sort((left, right) => times[left] - times[right] || left - right);
      const want = await encodeParquet(
        Table.fromRows(
          spec,
          order.map((index) => rows[index]),
        ),
      );
      return { got: fs.readFileSync(path.join(root, 'x/day.parquet')), want };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  it('streams an ordered day into the same object putTable writes', async () => {
    const { got, want } = await written(Array.from({ length: 250_000 }, (_, index) => DAY_MS + index));
    expect(Buffer.compare(got, Buffer.from(want))).toBe(0);
  });

  it('takes tables (pushTable) between single rows into the same object', async () => {
    const times = Array.from({ length: 230_000 }, (_, index) => DAY_MS + index);
    times[180_000] = DAY_MS + 7;
    const rows = times.map((time, index) => rowAt(index, time));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'day-rows-'));
    try {
      const store = new LocalObjectStore(root);
      const day = new DayRows(spec);
      let index = 0;
      // Alternate: a few rows one by one, then a table filling up to the room left, or a short one.
      while (index < rows.length) {
        for (let k = 0; k < 3 && index < rows.length; k++) await day.push(rows[index++]);
        const size = Math.min(rows.length - index, index % 2 ? day.room() : 1234);
        await day.pushTable(Table.fromRows(spec, rows.slice(index, index + size)));
        index += size;
      }
      expect(() => day.pushTable(Table.fromRows(spec, rows.slice(0, day.room() + 1)))).toThrow(/room/);
      await day.put(store, 'x/day.parquet');
      const order = rows.map((_, at) => at).sort((left, right) => times[left] - times[right] || left - right);
      const want = await encodeParquet(
        Table.fromRows(
          spec,
          order.map((at) => rows[at]),
        ),
      );
      expect(Buffer.compare(fs.readFileSync(path.join(root, 'x/day.parquet')), Buffer.from(want))).toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('sorts a day that leaves time order after groups were written', async () => {
    const times = Array.from({ length: 250_000 }, (_, index) => DAY_MS + index);
    times[150_000] = DAY_MS + 5;
    const { got, want } = await written(times);
    expect(Buffer.compare(got, Buffer.from(want))).toBe(0);
  });
});
