import type { ExchangeId } from '../schema/columns';
import type { DatasetSpec, Row } from '../schema/types';
import { checkExchangeTime, isoOrNumber, validateRow } from '../schema/validate';
import { DECIMAL } from './archive-rows/archive-fields';
import { clip, timeInUnit } from './binance-klines-archive';
import type { ImportMapping } from './import-mapping';
import type { MappedRecord, Slot } from './mapped-source';

/**
 * One record of a mapped file (lib/history/mapped-source.ts) as a Bronze `klines` or `trades` row, or the reason
 * it is rejected, with the checks `lakehouse import` runs on archive rows (lib/history/import-lines.ts): the
 * mapping's time unit (a time in another unit is rejected, never converted), the exchange's era, the registry's
 * ranges (validateRow) and, for klines, the interval's grid. Reasons name the Bronze column, their text before
 * ': ' the rule, as docs/import.md lists them.
 *
 * Trades may lack two things Bronze needs (docs/history.md, "Mapped import"):
 * - a trade id: then `event_time × 1000 + n`, n counting the file's trades of the same millisecond in file order.
 *   It is unique in the file, rises with time (Silver sorts trades by id), and is the same for the same trades in
 *   another export that overlaps this one, so Silver's dedupe by id drops the overlap instead of doubling it.
 * - a side: with `"infer_side": "tick_rule"`, a trade above the previous trade's price was a buy by the taker
 *   (is_buyer_maker false), below it a sell, at the same price the side before it; until the price first moves
 *   no side can be told and the trade is rejected.
 */

export interface MappedRowContext {
  readonly mapping: ImportMapping;
  readonly exchange: ExchangeId;
  readonly base: string;
  readonly quote: string;
  /** Epoch ms of the import: the rows' `ingest_time`, and "now" for the future check. */
  readonly ingest: number;
  readonly spec: DatasetSpec;
  /** The time slot holds epoch ms (a Parquet timestamp column), not text in the mapping's unit. */
  readonly timeIsInstant: boolean;
  /** The kline interval in ms; 0 for trades. */
  readonly stepMs: number;
}

export type MappedOutcome = { row: Row; time: number } | { reason: string; row?: Row; time?: number };

/** Reads records in file order; keeps what the trade id and the tick rule need from the records before. */
export interface MappedRowReader {
  read(record: MappedRecord): MappedOutcome;
}

/** The mapping's fields as slots, the time first (openMappedSource reads them in this order). */
export function mappedSlots(mapping: ImportMapping): Slot[] {
  return [
    { field: 'time.column', ref: mapping.time.column },
    ...Object.entries(mapping.columns).map(([column, ref]) => ({ field: `columns.${column}`, ref })),
  ];
}

/** A synthesized trade id needs the file's trades of each millisecond; this far back in time they are kept. */
export const ID_WINDOW_MS = 60_000;
/** Trades of one millisecond a synthesized id can number (`event_time × 1000 + n`). */
const IDS_PER_MS = 1000;

const TRUE = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n']);
/** The taker's side, as exports spell it. */
const BUY = new Set(['buy', 'b']);
const SELL = new Set(['sell', 's']);
const UNSIGNED_INTEGER = /^\d+$/;

/** A value as text: a CSV field as it is, a Parquet value as it prints (a bigint's digits); null and undefined as ''. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? '';
}

/** The slots' values of one record by Bronze column, read as the column needs; the first problem is the reason. */
class Fields {
  problem: string | null = null;

  constructor(
    private readonly values: readonly unknown[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  has(column: string): boolean {
    return this.index.has(column);
  }

  /** A number; null for an optional column that is not mapped or is empty. */
  decimal(column: string, optional = false): number | null {
    const value = this.raw(column);
    if (value === undefined || value === null || value === '') return optional ? null : this.fail(`${column} is empty`);
    if (typeof value === 'number') return Number.isFinite(value) ? value : this.fail(`${column} is not finite`);
    if (typeof value === 'bigint') return Number(value);
    if (typeof value !== 'string' || !DECIMAL.test(value))
      return this.fail(`${column} is not a number: '${clip(textOf(value))}'`);
    return Number(value);
  }

  /** A non-negative integer a double holds exactly (trade ids). */
  integer(column: string): number {
    const value = this.raw(column);
    const text = textOf(value);
    if (!UNSIGNED_INTEGER.test(text)) return this.fail(`${column} is not an integer: '${clip(text)}'`);
    const number = Number(text);
    return Number.isSafeInteger(number) ? number : this.fail(`${column} is beyond 2^53: '${clip(text)}'`);
  }

  /** is_buyer_maker from a boolean column, or from the taker's side (`buy`/`sell`, `b`/`s`). */
  buyerIsMaker(): boolean {
    if (this.has('is_buyer_maker')) {
      const value = this.raw('is_buyer_maker');
      if (typeof value === 'boolean') return value;
      const text = textOf(value).toLowerCase();
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      this.fail(`is_buyer_maker is not a boolean: '${clip(textOf(value))}'`);
      return false;
    }
    const text = textOf(this.raw('side')).toLowerCase();
    if (SELL.has(text)) return true;
    if (BUY.has(text)) return false;
    this.fail(`side is not buy or sell: '${clip(textOf(this.raw('side')))}'`);
    return false;
  }

  /** Epoch ms of the time slot: as stored (a Parquet timestamp), or text in the mapping's unit. */
  time(column: string, context: MappedRowContext): number {
    const value = this.values[0];
    if (context.timeIsInstant) {
      return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(`${column} is empty`);
    }
    if (value === null || value === undefined || value === '') return this.fail(`${column} is empty`);
    const ms = timeInUnit(column, textOf(value), context.mapping.time.unit);
    return typeof ms === 'string' ? this.fail(ms) : ms;
  }

  private raw(column: string): unknown {
    const at = this.index.get(column);
    return at === undefined ? undefined : this.values[at];
  }

  private fail(reason: string): number {
    this.problem ??= reason;
    return Number.NaN;
  }
}

export function mappedRowReader(context: MappedRowContext): MappedRowReader {
  const index = new Map(mappedSlots(context.mapping).map((slot, i) => [slot.field.replace(/^columns\./, ''), i]));
  return context.mapping.dataset === 'klines' ? klineReader(context, index) : tradeReader(context, index);
}

/** The checks after reading: the exchange's era, then the registry's ranges. */
function checked(context: MappedRowContext, row: Row, column: string, time: number): MappedOutcome {
  const era = checkExchangeTime(context.exchange, column, time, context.ingest);
  if (era) return { reason: era, row, time };
  const invalid = validateRow(context.spec, row);
  return invalid ? { reason: invalid, row, time } : { row, time };
}

function klineReader(context: MappedRowContext, index: ReadonlyMap<string, number>): MappedRowReader {
  const interval = context.mapping.interval ?? '';
  return {
    read(record) {
      if (record.problem) return { reason: record.problem };
      const fields = new Fields(record.values, index);
      const openTime = fields.time('open_time', context);
      const row: Row = {
        open_time: openTime,
        close_time: openTime + context.stepMs - 1,
        open: fields.decimal('open'),
        high: fields.decimal('high'),
        low: fields.decimal('low'),
        close: fields.decimal('close'),
        volume: fields.decimal('volume'),
        quote_volume: fields.decimal('quote_volume', true),
        trade_count: fields.decimal('trade_count', true),
        taker_buy_volume: fields.decimal('taker_buy_volume', true),
        taker_buy_quote_volume: fields.decimal('taker_buy_quote_volume', true),
        is_closed: true,
        event_time: null,
        base: context.base,
        quote: context.quote,
        ingest_time: context.ingest,
        source: 'archive',
      };
      if (fields.problem)
        return Number.isFinite(openTime) ? { reason: fields.problem, row, time: openTime } : { reason: fields.problem };
      const outcome = checked(context, row, 'open_time', openTime);
      if ('reason' in outcome || openTime % context.stepMs === 0) return outcome;
      return { reason: `open_time not on the ${interval} grid: ${isoOrNumber(openTime)}`, row, time: openTime };
    },
  };
}

function tradeReader(context: MappedRowContext, index: ReadonlyMap<string, number>): MappedRowReader {
  const tickRule = context.mapping.inferSide === 'tick_rule';
  const mappedIds = index.has('trade_id');
  // Tick rule: the last price read and the side it gave (null until the price first moves).
  let lastPrice = Number.NaN;
  let lastSide: boolean | null = null;
  // Synthesized ids: trades counted per millisecond, for the last ID_WINDOW_MS of the file's times.
  const perMs = new Map<number, number>();
  let latest = Number.NEGATIVE_INFINITY;

  const inferSide = (price: number): boolean | null => {
    if (!(price > 0)) return lastSide;
    if (price > lastPrice) lastSide = false;
    else if (price < lastPrice) lastSide = true;
    lastPrice = price;
    return lastSide;
  };
  const synthesizedId = (time: number): number | string => {
    if (time < latest - ID_WINDOW_MS) {
      const back = `event_time goes back more than ${ID_WINDOW_MS / 1000} s`;
      return `${back}: no trade id can be made (map the file's trade ids, or sort it by time)`;
    }
    if (time > latest) {
      latest = time;
      if (perMs.size > 10_000) for (const ms of perMs.keys()) if (ms < latest - ID_WINDOW_MS) perMs.delete(ms);
    }
    const n = perMs.get(time) ?? 0;
    if (n >= IDS_PER_MS)
      return `more than ${IDS_PER_MS} trades in one millisecond: no trade id can be made (map the file's trade ids)`;
    perMs.set(time, n + 1);
    return time * IDS_PER_MS + n;
  };

  return {
    read(record) {
      if (record.problem) return { reason: record.problem };
      const fields = new Fields(record.values, index);
      const eventTime = fields.time('event_time', context);
      const price = fields.decimal('price') ?? Number.NaN;
      const qty = fields.decimal('qty') ?? Number.NaN;
      const quoteQty = fields.has('quote_qty') ? fields.decimal('quote_qty') : price * qty;
      const side = tickRule ? inferSide(price) : fields.buyerIsMaker();
      const row: Row = {
        trade_id: mappedIds ? fields.integer('trade_id') : null,
        event_time: eventTime,
        price,
        qty,
        quote_qty: quoteQty,
        is_buyer_maker: side,
        base: context.base,
        quote: context.quote,
        ingest_time: context.ingest,
        source: 'archive',
      };
      if (!Number.isFinite(eventTime)) return { reason: fields.problem ?? 'event_time is not a time' };
      const era = checkExchangeTime(context.exchange, 'event_time', eventTime, context.ingest);
      if (era) return { reason: era, row, time: eventTime };
      // Every record with a plausible time counts towards the ids, rejected or not: another export of the same
      // trades, which may reject others (its first trades have no side yet), then gives each trade the same id.
      if (!mappedIds) {
        const id = synthesizedId(eventTime);
        if (typeof id === 'string') return { reason: id, row, time: eventTime };
        row.trade_id = id;
      }
      if (fields.problem) return { reason: fields.problem, row, time: eventTime };
      if (side === null)
        return { reason: 'is_buyer_maker cannot be inferred: no price change yet (tick rule)', row, time: eventTime };
      const invalid = validateRow(context.spec, row);
      return invalid ? { reason: invalid, row, time: eventTime } : { row, time: eventTime };
    },
  };
}
