import type { NormalizedRecord } from '../exchanges/types';
import type { BronzeBuffers } from '../bronze/bronze-buffers';
import type { CollectorClock } from './clock';
import type { GapLedger } from './gap-ledger';
import type { ManagedConnection } from './managed-connection';
import type { CollectorStats } from './stats';
import type { StreamTracker } from './stream-tracker';
import type { TradeIdSequence } from './trade-id-sequence';

/**
 * Sends each normalized record where it belongs: its Bronze buffer, the stream tracker, the gap ledger (its
 * stream is back; its trade id jumped), the clock and the counters. Runs for every record (tens of thousands a
 * second), so it allocates nothing of its own per record.
 */

export interface RecordFanOutOptions {
  buffers: BronzeBuffers;
  streams: StreamTracker;
  ledger: GapLedger;
  clock: CollectorClock;
  stats: CollectorStats;
  /** For exchanges whose trade ids are consecutive (Binance). */
  tradeIds?: TradeIdSequence;
}

/** Datasets whose event time always comes from the exchange (book snapshots and quotes may carry receive time): the clock-skew sample. */
const EXCHANGE_STAMPED: ReadonlySet<string> = new Set(['trades', 'klines', 'funding', 'open_interest', 'liquidations']);

export class RecordFanOut {
  constructor(private readonly options: RecordFanOutOptions) {}

  /**
   * Buffers `records` (from a socket message received at `receivedAt` on `connection`, or from a REST poll);
   * returns the newest event time among them, -Infinity when none had a usable one.
   */
  add(records: readonly NormalizedRecord[], connection?: ManagedConnection, receivedAt?: number): number {
    const { buffers, streams, ledger, clock, stats, tradeIds } = this.options;
    let maxEvent = -Infinity;
    for (const rec of records) {
      if (tradeIds && rec.dataset === 'trades') {
        const jump = tradeIds.check(rec);
        if (jump) ledger.record(rec.stream, rec.symbol, jump.start, jump.end, 'sequence_break');
      }
      if (!buffers.add(rec)) {
        stats.rejected('no usable event time', JSON.stringify(rec.row).slice(0, 300));
        continue;
      }
      const eventMs = eventTime(rec);
      ledger.resumed(rec.stream, rec.symbol, eventMs);
      streams.delivered(rec.stream, rec.symbol, rec.dataset, eventMs, connection);
      stats.event(rec.stream, eventMs);
      if (eventMs > maxEvent) maxEvent = eventMs;
      clock.observe(eventMs);
      if (receivedAt !== undefined && EXCHANGE_STAMPED.has(rec.dataset)) stats.skew(receivedAt - eventMs);
    }
    return maxEvent;
  }
}

/** The newest event time among `records` (-Infinity when none has one), read before they are buffered. */
export function newestEventTime(records: readonly NormalizedRecord[]): number {
  let newest = -Infinity;
  for (const rec of records) {
    const eventMs = eventTime(rec);
    if (eventMs > newest) newest = eventMs;
  }
  return newest;
}

/** A record's place on its stream's clock: klines partition by open time, but their stream's clock is the message's event time. */
function eventTime(rec: NormalizedRecord): number {
  const time = rec.row.event_time ?? rec.row.open_time;
  return typeof time === 'number' ? time : NaN;
}
