const ZEROS = '000000000';

/**
 * An integer count of 10^-scale units, printed as Binance prints every spot decimal: with 8 places
 * (6183763 at scale 2 → "61837.63000000"). String work only, so no binary rounding can creep in.
 */
export function formatUnits(units: number, scale: number): string {
  let digits = String(units);
  if (scale === 0) return `${digits}.00000000`;
  if (digits.length <= scale) digits = ZEROS.slice(0, scale + 1 - digits.length) + digits;
  const point = digits.length - scale;
  return `${digits.slice(0, point)}.${digits.slice(point)}${ZEROS.slice(0, 8 - scale)}`;
}
