/**
 * Klines in the model's integer units: prices in ticks, volumes in lot steps, quote volumes in tick×step units.
 * Integer sums are exact, so a 15m kline built from fifteen 1m klines equals one built from its trades.
 */

export interface Kline {
  openTime: number;
  /** openTime + interval - 1, as Binance reports it. */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  tradeCount: number;
  /** -1 when the kline holds no trade (Binance's convention). */
  firstTradeId: number;
  lastTradeId: number;
  takerBuyVolume: number;
  takerBuyQuoteVolume: number;
}

const INTERVALS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
};

/** Length of a Binance kline interval in ms; undefined for intervals the simulator does not offer (1s, 3d, 1w, 1M). */
export function intervalMs(interval: string): number | undefined {
  return Object.hasOwn(INTERVALS, interval) ? INTERVALS[interval] : undefined;
}

export function emptyKline(openTime: number, lengthMs: number): Kline {
  return {
    openTime,
    closeTime: openTime + lengthMs - 1,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
    quoteVolume: 0,
    tradeCount: 0,
    firstTradeId: -1,
    lastTradeId: -1,
    takerBuyVolume: 0,
    takerBuyQuoteVolume: 0,
  };
}

/** Fold a later part (a minute, or trades) into `acc`. */
export function mergeKline(acc: Kline, part: Kline): void {
  if (part.tradeCount === 0) return;
  if (acc.tradeCount === 0) {
    acc.open = part.open;
    acc.high = part.high;
    acc.low = part.low;
    acc.firstTradeId = part.firstTradeId;
  } else {
    if (part.high > acc.high) acc.high = part.high;
    if (part.low < acc.low) acc.low = part.low;
  }
  acc.close = part.close;
  acc.lastTradeId = part.lastTradeId;
  acc.volume += part.volume;
  acc.quoteVolume += part.quoteVolume;
  acc.tradeCount += part.tradeCount;
  acc.takerBuyVolume += part.takerBuyVolume;
  acc.takerBuyQuoteVolume += part.takerBuyQuoteVolume;
}

/** A kline without trades shows the last price before it as open, high, low and close. */
export function flatKline(k: Kline, price: number): void {
  k.open = k.high = k.low = k.close = price;
}
