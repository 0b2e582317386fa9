/**
 * The `quality_flags` bitmask carried by every Silver and Gold row. Bits 0-6 are fixed (docs/silver.md#quality-flags);
 * higher bits are ours and documented here, the one place that defines them.
 */
export const QualityFlag = {
  /** Row interpolated for a single missing minute. */
  FILLED: 1 << 0,
  /** Price spike that reverts (suspected bad print), kept. */
  OUTLIER: 1 << 1,
  /** OHLC relation violated in the source. */
  INVALID_OHLC: 1 << 2,
  /** Placeholder rows the exchange emitted during an outage. */
  EXCHANGE_OUTAGE: 1 << 3,
  /** A genuinely quiet minute (zero volume) on a thin market. */
  NO_TRADES: 1 << 4,
  /** Arrived after the partition was first built. */
  LATE: 1 << 5,
  /** Filled from the exchange's REST API. */
  BACKFILLED: 1 << 6,
  /** Our bit 7: the source never marked the bar closed; this is its last in-progress version. */
  INCOMPLETE: 1 << 7,
  /** Our bit 8: a derived (higher-timeframe) bar built from fewer 1m bars than its interval holds. */
  PARTIAL: 1 << 8,
  /**
   * Our bit 9: two closed versions of this minute (WebSocket, REST, archive) differ beyond the tolerance of
   * CONFLICT_RULES (lib/silver/klines-1m.ts). The row kept is the usual precedence's, but one of the sources is
   * wrong (a file imported under the wrong symbol, a bad print), so the minute cannot be trusted.
   */
  SOURCE_CONFLICT: 1 << 9,
} as const;

export type QualityFlagName = keyof typeof QualityFlag;

export const QUALITY_FLAG_DOCS: Record<QualityFlagName, string> = {
  FILLED: 'row interpolated for a single missing minute',
  OUTLIER: 'price spike that reverts (suspected bad print), kept',
  INVALID_OHLC: 'OHLC relation violated in the source',
  EXCHANGE_OUTAGE: 'placeholder rows the exchange emitted during an outage',
  NO_TRADES: 'a genuinely quiet minute (zero volume) on a thin market',
  LATE: 'arrived after the partition was first built',
  BACKFILLED: "filled from the exchange's REST API",
  INCOMPLETE: 'the source never marked the bar closed; last in-progress version kept',
  PARTIAL: 'derived bar built from fewer 1m bars than its interval holds',
  SOURCE_CONFLICT:
    'two sources (ws, rest, archive) gave this closed minute materially different OHLCV; the usual precedence chose the row',
};

export function flagNames(mask: number): QualityFlagName[] {
  return (Object.keys(QualityFlag) as QualityFlagName[]).filter((name) => (mask & QualityFlag[name]) !== 0);
}

/** Flags that make a row unfit for model inputs (Gold's `data_ok` is false when any is set). */
export const UNTRUSTED_FLAGS =
  QualityFlag.FILLED |
  QualityFlag.OUTLIER |
  QualityFlag.INVALID_OHLC |
  QualityFlag.EXCHANGE_OUTAGE |
  QualityFlag.INCOMPLETE |
  QualityFlag.PARTIAL |
  QualityFlag.SOURCE_CONFLICT;
