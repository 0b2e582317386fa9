import { FieldReader, type Json } from '../binance/field-reader';
import { isNumberText } from './json-text';

/**
 * Typed reads from a Kraken v2 message parsed with parseKeepingNumberText, where every JSON number arrives as its
 * text. Like FieldReader it remembers the first problem instead of throwing.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch ms of an RFC 3339 time (`2023-10-04T16:26:01.806315597Z`); digits below the millisecond are dropped. NaN
 * for a time that does not exist (February 30th, hour 25, offset +99:99): Date.UTC would roll it over into a
 * real but wrong time, and it reads years 0000-0099 as 1900-1999.
 */
export function parseRfc3339Ms(text: string): number {
  const match = RFC3339.exec(text);
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = [+match[1], +match[2], +match[3], +match[4], +match[5], +match[6]];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  // Gregorian dates repeat every 400 years (146,097 days): shifting a year below 100 past Date.UTC's 1900 rule.
  let t =
    year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - GREGORIAN_CYCLE_MS
      : Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (match[8] !== 'Z') {
    const [oh, om] = [Number(match[8].slice(1, 3)), Number(match[8].slice(4, 6))];
    if (oh > 23 || om > 59) return NaN;
    t -= (match[8][0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return t;
}

const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number) =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS[month - 1];

export class KrakenFields extends FieldReader {
  protected override get pairs(): boolean {
    return true;
  }

  /** Integers (trade ids, counts, intervals) as number text. */
  override int(json: Json, key: string): number {
    const value = json[key];
    if (isNumberText(value) && /^-?\d+$/.test(value) && Number.isSafeInteger(+value)) return +value;
    this.fail(`field ${key} is missing or not an integer`);
    return NaN;
  }

  /** Prices and quantities, keeping their text (the book checksum needs it). */
  decimalText(json: Json, key: string): string {
    const value = json[key];
    if (isNumberText(value)) return value;
    this.fail(`field ${key} is missing or not a number`);
    return '';
  }

  /** RFC 3339 timestamps → epoch ms. */
  override time(json: Json, key: string): number {
    const value = json[key];
    const ms = typeof value === 'string' ? parseRfc3339Ms(value) : NaN;
    if (ms !== ms) this.fail(`field ${key} is missing or not an RFC 3339 time`);
    return ms;
  }
}
