import { hashString } from './rng';

/**
 * What the simulator trades. Prices and quantities are held as integers of ticks and lot steps, so every sum a
 * kline reports (volume, quote volume, taker-buy volume) is exact and independent of summation order.
 */

export interface InstrumentSpec {
  symbol: string;
  /** Price at the model's anchor time. */
  initialPrice: number;
  /** Tick size is 10^-priceDecimals. */
  priceDecimals: number;
  /** Lot step is 10^-qtyDecimals. */
  qtyDecimals: number;
  /** Mean of the Poisson trade arrivals. */
  tradesPerMinute: number;
  /** Standard deviation of the log price change over one minute. */
  minuteVolatility: number;
  /** Mean trade size in base units. */
  meanTradeQty: number;
}

/** Binance formats every decimal with 8 places; quote volume has priceDecimals + qtyDecimals of them. */
const MAX_DECIMALS = 8;

const KNOWN: Record<string, Omit<InstrumentSpec, 'symbol' | 'tradesPerMinute' | 'minuteVolatility'>> = {
  BTCUSDT: { initialPrice: 60_000, priceDecimals: 2, qtyDecimals: 5, meanTradeQty: 0.01 },
  ETHUSDT: { initialPrice: 3_000, priceDecimals: 2, qtyDecimals: 4, meanTradeQty: 0.1 },
  BNBUSDT: { initialPrice: 550, priceDecimals: 2, qtyDecimals: 3, meanTradeQty: 1 },
  SOLUSDT: { initialPrice: 150, priceDecimals: 2, qtyDecimals: 3, meanTradeQty: 3 },
};

const DEFAULT_TRADES_PER_MINUTE = 60;
const DEFAULT_MINUTE_VOLATILITY = 0.0008;

/** Spec for a symbol: known majors get realistic tick sizes; others get a price and precision from its name. */
export function instrumentFor(symbol: string, overrides: Partial<InstrumentSpec> = {}): InstrumentSpec {
  const sym = symbol.toUpperCase();
  const base = KNOWN[sym] ?? derived(sym);
  const spec: InstrumentSpec = {
    symbol: sym,
    tradesPerMinute: DEFAULT_TRADES_PER_MINUTE,
    minuteVolatility: DEFAULT_MINUTE_VOLATILITY,
    ...base,
    ...overrides,
  };
  const { priceDecimals: pd, qtyDecimals: qd } = spec;
  if (!Number.isInteger(pd) || !Number.isInteger(qd) || pd < 0 || qd < 0 || pd + qd > MAX_DECIMALS) {
    throw new Error(`${sym}: priceDecimals + qtyDecimals must be integers summing to at most ${MAX_DECIMALS}`);
  }
  if (!(spec.initialPrice > 0) || !(spec.tradesPerMinute > 0) || !(spec.meanTradeQty > 0) || !(spec.minuteVolatility >= 0)) {
    throw new Error(`${sym}: initialPrice, tradesPerMinute and meanTradeQty must be positive, minuteVolatility not negative`);
  }
  return spec;
}

/** About six significant digits of price, and a lot step worth a few cents to a few dollars. */
function derived(symbol: string) {
  const initialPrice = Number((10 ** (-1 + (hashString(symbol) % 4000) / 1000)).toPrecision(4));
  const magnitude = Math.floor(Math.log10(initialPrice));
  const priceDecimals = Math.min(MAX_DECIMALS, Math.max(0, 5 - magnitude));
  const qtyDecimals = Math.min(MAX_DECIMALS - priceDecimals, Math.max(0, magnitude + 1));
  return { initialPrice, priceDecimals, qtyDecimals, meanTradeQty: Number((500 / initialPrice).toPrecision(2)) };
}
