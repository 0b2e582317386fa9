import { isFileableSymbol } from '../symbols';

/**
 * Typed reads from a decoded Binance payload. A mapper reads every field and checks once at the end, so the
 * reader remembers the first field that was missing or mistyped instead of throwing.
 */

export type Json = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The furthest epoch-ms time a JS Date holds. A larger "time" cannot be partitioned by date, and Parquet's int64
 * would store it wrapped: 1e21 read back as 3875820019684212700.
 */
export const MAX_TIME_MS = 8.64e15;

/** A decimal as Binance sends it (a numeric string, leniently a JSON number); NaN when it is neither. */
export function toDecimal(value: unknown): number {
  if (typeof value === 'string') return value.length > 0 ? +value : NaN;
  return typeof value === 'number' ? value : NaN;
}

export class FieldReader {
  problem: string | null = null;

  reset(): this {
    this.problem = null;
    return this;
  }

  /** Prices and quantities: Binance sends them as decimal strings ("61837.63000000"). */
  decimal(json: Json, key: string): number {
    return this.decimalValue(json[key], key);
  }

  decimalValue(value: unknown, key: string): number {
    const decimal = toDecimal(value);
    if (decimal !== decimal) this.fail(`field ${key} is missing or not a decimal`);
    return decimal;
  }

  /** Ids and counts: JSON integers a double holds exactly (beyond 2^53 ids would collide). */
  int(json: Json, key: string): number {
    const value = json[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    this.fail(`field ${key} is missing or not an integer`);
    return NaN;
  }

  /** Epoch-ms times: integers a Date can hold. */
  time(json: Json, key: string): number {
    const value = json[key];
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= MAX_TIME_MS) return value;
    this.fail(`field ${key} is missing or not an epoch-ms time`);
    return NaN;
  }

  bool(json: Json, key: string): boolean {
    const value = json[key];
    if (typeof value === 'boolean') return value;
    this.fail(`field ${key} is missing or not a boolean`);
    return false;
  }

  str(json: Json, key: string): string {
    const value = json[key];
    if (typeof value === 'string' && value.length > 0) return value;
    this.fail(`field ${key} is missing or not a string`);
    return '';
  }

  /** A symbol to file rows under (see isFileableSymbol). */
  symbol(json: Json, key: string): string {
    const value = json[key];
    if (typeof value === 'string' && isFileableSymbol(value, this.pairs)) return value;
    this.fail(`field ${key} is missing or not a symbol`);
    return '';
  }

  /** Symbols are `BASE/QUOTE` pairs (Kraken) rather than one word (Binance). */
  protected get pairs(): boolean {
    return false;
  }

  fail(problem: string): void {
    if (this.problem === null) this.problem = problem;
  }
}
