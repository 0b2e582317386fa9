import type { NormalizedRecord } from '../exchanges/types';

/**
 * Exchanges whose trade ids are consecutive per symbol (Binance) reveal lost trades: a jump forward in ids is
 * an interruption from the last trade seen to this one. Reordered or repeated ids are not.
 */

export interface TradeIdJump {
  /** Event time of the last trade before the jump. */
  start: number;
  /** Event time of the trade after it. */
  end: number;
}

export class TradeIdSequence {
  private readonly last = new Map<string, { id: number; eventMs: number }>();

  /** Notes a trade; returns the interruption it reveals, if any. */
  check(trade: NormalizedRecord): TradeIdJump | undefined {
    const id = trade.row.trade_id;
    const eventMs = trade.row.event_time;
    if (typeof id !== 'number' || typeof eventMs !== 'number') return undefined;
    const last = this.last.get(trade.symbol);
    if (!last || id > last.id) this.last.set(trade.symbol, { id, eventMs });
    return last && id > last.id + 1 ? { start: last.eventMs, end: eventMs } : undefined;
  }
}
