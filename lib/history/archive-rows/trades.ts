import { archiveMarket, dayStartMs } from '../../exchanges/binance/archive-layout';
import { DAY_MS } from '../../util/time';
import { baseQuote } from '../../exchanges/symbols';
import { dataset } from '../../schema/registry';
import type { Row } from '../../schema/types';
import { numberPasses } from '../../schema/validate';
import type { ArchiveLineContext, ArchiveLineParser, ArchiveReject, ArchiveRowMapper } from '../archive-row-mapper';
import { clip, timeInUnit } from '../binance-klines-archive';
import { archiveTimeProblem, checkedArchiveRow } from './archive-fields';

/**
 * Trade archive lines as Bronze `trades` rows (docs/history.md, "CSV layouts"): spot
 * `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match` (no header, `True`/`False`, µs from 2025-01-01) and
 * USD-M `id,price,qty,quote_qty,time,is_buyer_maker` (`true`/`false`, ms). `is_best_match` has no Bronze column.
 * Then the checks every archive row passes (checkedArchiveRow).
 */

const bronze = dataset('bronze', 'trades');

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

function tradesRow(fields: readonly string[], context: ArchiveLineContext): Row | ArchiveReject {
  const market = archiveMarket(context.file.market);
  const columns = market.datasets.trades?.columns.length ?? 0;
  if (fields.length !== columns) return { reject: `expected ${columns} columns, got ${fields.length}` };
  const eventTime = timeInUnit('time', fields[4], context.file.timeFormat === 'us' ? 'us' : 'ms');
  if (typeof eventTime === 'string') return { reject: eventTime };
  const [yes, no] = market.booleans;
  const maker = fields[5];
  if (maker !== yes && maker !== no) return { reject: `is_buyer_maker is not ${yes} or ${no}: '${clip(maker)}'` };
  const { base, quote } = baseQuote(context.symbol);
  const row: Row = {
    trade_id: num(fields[0]),
    event_time: eventTime,
    price: num(fields[1]),
    qty: num(fields[2]),
    quote_qty: num(fields[3]),
    is_buyer_maker: maker === yes,
    base,
    quote,
    ingest_time: context.ingestMs,
    source: 'archive',
  };
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return { reject: `${key} is not a number` };
  }
  return checkedArchiveRow(bronze, row, 'time', context);
}

const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * End of the unsigned integer in text[from, to) (the index of the comma or line end after it), its value in
 * `out[0]`; -1 unless it is 1+ digits whose value a double holds exactly (as Number() of the text then reads it).
 */
function integerEnd(text: string, from: number, to: number, out: Float64Array): number {
  let value = 0;
  let index = from;
  for (; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === COMMA) break;
    if (code < ZERO || code > NINE) return -1;
    value = value * 10 + (code - ZERO);
  }
  if (index === from || value > Number.MAX_SAFE_INTEGER) return -1;
  out[0] = value;
  return index;
}

/** 10^k for k ≤ 22: exact doubles, so a quotient by one of them is correctly rounded. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * End of the plain decimal (digits, at most one dot, a digit somewhere) in text[from, to), or -1; its value in
 * `out[0]`. When all its digits make an integer a double holds exactly and it has at most 22 decimals, value =
 * digits / 10^decimals is one correctly rounded division of two exact doubles, so it equals Number() of the text
 * (Clinger's fast path); otherwise Number() of the text itself.
 */
function decimalEnd(text: string, from: number, to: number, out: Float64Array): number {
  let digits = 0;
  let dotAt = -1;
  let mantissa = 0;
  let index = from;
  for (; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code === COMMA) break;
    if (code === DOT) {
      if (dotAt >= 0) return -1;
      dotAt = index;
    } else if (code >= ZERO && code <= NINE) {
      digits++;
      mantissa = mantissa * 10 + (code - ZERO);
    } else return -1;
  }
  if (digits === 0) return -1;
  const decimals = dotAt < 0 ? 0 : index - dotAt - 1;
  out[0] =
    mantissa <= Number.MAX_SAFE_INTEGER && decimals <= 22 ? mantissa / POWERS_OF_TEN[decimals] : Number(text.slice(from, index));
  return index;
}

/**
 * tradesRow for the plain lines that make up nearly all of a file, without splitting the line into strings: the
 * integers read digit by digit, the decimals to the same double as num() reads them, and the checks of
 * checkedArchiveRow on the fields that vary (the constant columns passed them in the accepted row).
 */
function tradesLineParser(context: ArchiveLineContext): ArchiveLineParser {
  const market = archiveMarket(context.file.market);
  const columns = market.datasets.trades?.columns.length ?? 0;
  const [yes, no] = market.booleans;
  const micro = context.file.timeFormat === 'us';
  // detectUnit's bounds for the file's unit: a time of the other unit is the slow path's reject.
  const [unitFrom, unitTo] = micro ? [1e14, 1e17] : [1e11, 1e14];
  const column = (name: string) => bronze.columns.find((spec) => spec.name === name)!;
  const [idPasses, timePasses, pricePasses, qtyPasses, quoteQtyPasses] = [
    'trade_id',
    'event_time',
    'price',
    'qty',
    'quote_qty',
  ].map((name) => numberPasses(column(name)));
  const number = new Float64Array(1);
  // Times known to pass archiveTimeProblem: it accepts an interval, so everything between two passing times passes.
  let goodFrom = Number.POSITIVE_INFINITY;
  let goodTo = Number.NEGATIVE_INFINITY;
  const fileFrom = dayStartMs(context.file.firstDay);
  const fileTo = dayStartMs(context.file.lastDay) + DAY_MS - 1;
  const fileFromPasses = archiveTimeProblem(context, 'time', fileFrom) === null;
  const fileToPasses = archiveTimeProblem(context, 'time', fileTo) === null;
  const boolEnd = (text: string, from: number, to: number, word: string) =>
    text.startsWith(word, from) && (from + word.length === to || text.charCodeAt(from + word.length) === COMMA)
      ? from + word.length
      : -1;
  const values = new Float64Array(TRADE_LINE_COLUMNS.length);
  const read = (text: string, from: number, to: number): boolean => {
    const idEnd = integerEnd(text, from, to, number);
    if (idEnd < 0 || idEnd === to) return false;
    const id = number[0];
    const priceEnd = decimalEnd(text, idEnd + 1, to, number);
    if (priceEnd < 0 || priceEnd === to) return false;
    const price = number[0];
    const qtyEnd = decimalEnd(text, priceEnd + 1, to, number);
    if (qtyEnd < 0 || qtyEnd === to) return false;
    const qty = number[0];
    const quoteEnd = decimalEnd(text, qtyEnd + 1, to, number);
    if (quoteEnd < 0 || quoteEnd === to) return false;
    const quoteQty = number[0];
    let end = integerEnd(text, quoteEnd + 1, to, number);
    if (end < 0 || end === to) return false;
    const epoch = number[0];
    if (!(epoch >= unitFrom && epoch < unitTo)) return false;
    const makerAt = end + 1;
    let maker = true;
    end = boolEnd(text, makerAt, to, yes);
    if (end < 0) {
      maker = false;
      end = boolEnd(text, makerAt, to, no);
      if (end < 0) return false;
    }
    // The remaining columns (spot's is_best_match) are counted, not read, as tradesRow does.
    let count = 6;
    for (let index = end; index < to; index++) if (text.charCodeAt(index) === COMMA) count++;
    if (count !== columns) return false;
    const eventTime = Math.floor(epoch / (micro ? 1e3 : 1));
    if (eventTime < goodFrom || eventTime > goodTo) {
      if (archiveTimeProblem(context, 'time', eventTime) !== null) return false;
      // Times rise through a file: stretch the range to the file's first and last millisecond when those pass.
      goodFrom = Math.min(goodFrom, eventTime, fileFromPasses ? fileFrom : eventTime);
      goodTo = Math.max(goodTo, eventTime, fileToPasses ? fileTo : eventTime);
    }
    // checkValue as validateRow runs it (numberPasses); a value it refuses goes the slow way, for the reason.
    if (!idPasses(id) || !timePasses(eventTime) || !pricePasses(price) || !qtyPasses(qty) || !quoteQtyPasses(quoteQty)) {
      return false;
    }
    values[0] = id;
    values[1] = eventTime;
    values[2] = price;
    values[3] = qty;
    values[4] = quoteQty;
    values[5] = maker ? 1 : 0;
    return true;
  };
  return { columns: TRADE_LINE_COLUMNS, values, read, parse: (text, row) => rowOfLine(text, row, read, values) };
}

/** The Bronze columns a trades line varies in, in the order the parser's values hold them. */
const TRADE_LINE_COLUMNS = ['trade_id', 'event_time', 'price', 'qty', 'quote_qty', 'is_buyer_maker'] as const;

function rowOfLine(text: string, row: Row, read: ArchiveLineParser['read'], values: Float64Array): boolean {
  if (!read(text, 0, text.length)) return false;
  for (let k = 0; k < TRADE_LINE_COLUMNS.length; k++) row[TRADE_LINE_COLUMNS[k]] = values[k];
  row.is_buyer_maker = values[5] === 1;
  return true;
}

export const tradesMapper: ArchiveRowMapper = { bronze, map: tradesRow, lineParser: tradesLineParser };
