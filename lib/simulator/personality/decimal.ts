import type { SymbolMarket } from '../market/symbol-market';

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

/** `units` of 10^-scale as a decimal with exactly `places` (≥ scale) decimals; string work only, no rounding. */
export function fixed(units: number, scale: number, places = scale): string {
  const sign = units < 0 ? '-' : '';
  let digits = String(Math.abs(units));
  if (digits.length <= scale) digits = '0'.repeat(scale + 1 - digits.length) + digits;
  const point = digits.length - scale;
  const frac = digits.slice(point) + '0'.repeat(places - scale);
  return frac.length > 0 ? `${sign}${digits.slice(0, point)}.${frac}` : `${sign}${digits}`;
}

/** Book prices cluster around the last trade, so most of the 22 prices a book tick prints were printed moments ago. */
const PRICE_CACHE_LIMIT = 4096;

/** Prices, quantities and quote quantities of one instrument as the exchange prints them, prices cached. */
export class PayloadDecimals {
  private readonly prices = new Map<number, string>();
  readonly symbol: string;
  private readonly pd: number;
  private readonly qd: number;

  constructor(
    market: SymbolMarket,
    private readonly format: (units: number, scale: number) => string,
  ) {
    this.symbol = market.spec.symbol;
    this.pd = market.spec.priceDecimals;
    this.qd = market.spec.qtyDecimals;
  }

  price(ticks: number): string {
    let s = this.prices.get(ticks);
    if (s === undefined) {
      if (this.prices.size >= PRICE_CACHE_LIMIT) this.prices.clear();
      s = this.format(ticks, this.pd);
      this.prices.set(ticks, s);
    }
    return s;
  }

  qty(steps: number): string {
    return this.format(steps, this.qd);
  }

  quoteQty(units: number): string {
    return this.format(units, this.pd + this.qd);
  }
}
