import { crc32 } from 'node:zlib';

/**
 * Kraken's order-book checksum (WebSocket v1 and v2 alike): CRC32 of the top 10 asks (best first, ascending)
 * then the top 10 bids (best first, descending), each level as price then quantity with the decimal point
 * removed and leading zeros stripped. It must run over the decimal text the exchange sent, never a reformatted
 * double, or trailing zeros ("0.00100000") would be lost.
 */

export const CHECKSUM_LEVELS = 10;

export interface BookLevelText {
  price: string;
  qty: string;
}

/** `1.5e-7` → `0.00000015`: Kraken prints plain decimals, but a JSON number may legally use an exponent. */
function plainDecimal(text: string): string {
  const exponentAt = text.search(/[eE]/);
  if (exponentAt < 0) return text;
  const exp = Number(text.slice(exponentAt + 1));
  const mantissa = text.slice(0, exponentAt).replace('-', '');
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A decimal as it enters the checksum: `"0.05000"` → `"5000"`, `"45285.2"` → `"452852"`. */
export function checksumToken(decimal: string): string {
  const digits = plainDecimal(decimal).replace('.', '');
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

/** Unsigned 32-bit checksum of a book given best-first sides; only the top 10 levels of each count. */
export function krakenBookChecksum(asks: readonly BookLevelText[], bids: readonly BookLevelText[]): number {
  let text = '';
  for (let i = 0; i < asks.length && i < CHECKSUM_LEVELS; i++) text += checksumToken(asks[i].price) + checksumToken(asks[i].qty);
  for (let i = 0; i < bids.length && i < CHECKSUM_LEVELS; i++) text += checksumToken(bids[i].price) + checksumToken(bids[i].qty);
  return crc32(text) >>> 0;
}
