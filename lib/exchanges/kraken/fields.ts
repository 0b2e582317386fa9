import { FieldReader, type Json } from '../binance/field-reader';
import { isNumberText } from './json-text';

/**
 * Typed reads from a Kraken v2 message parsed with parseKeepingNumberText, where every JSON number arrives as its
 * text. Like FieldReader it remembers the first problem instead of throwing.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 time (`2023-10-04T16:26:01.806315597Z`); digits below the millisecond are dropped. */
export function parseRfc3339Ms(s: string): number {
  const m = RFC3339.exec(s);
  if (!m) return NaN;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  if (m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    t -= sign * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60_000;
  }
  return t;
}

export class KrakenFields extends FieldReader {
  /** Integers (trade ids, counts, intervals) as number text. */
  override int(o: Json, key: string): number {
    const v = o[key];
    if (isNumberText(v) && /^-?\d+$/.test(v) && Number.isSafeInteger(+v)) return +v;
    this.fail(`field ${key} is missing or not an integer`);
    return NaN;
  }

  /** Prices and quantities, keeping their text (the book checksum needs it). */
  decimalText(o: Json, key: string): string {
    const v = o[key];
    if (isNumberText(v)) return v;
    this.fail(`field ${key} is missing or not a number`);
    return '';
  }

  /** RFC 3339 timestamps → epoch ms. */
  time(o: Json, key: string): number {
    const v = o[key];
    const t = typeof v === 'string' ? parseRfc3339Ms(v) : NaN;
    if (t !== t) this.fail(`field ${key} is missing or not an RFC 3339 time`);
    return t;
  }
}
