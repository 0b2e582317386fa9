import type { ManagedConnection } from './managed-connection';

/**
 * What the collector knows of each stream it has seen or watches: its newest event time and the connection
 * that delivered it last. The gap ledger starts interruptions from here, the silence watchdog measures
 * silences from here, and the restart-state file saves it.
 */

export interface TrackedStream {
  symbol: string;
  dataset: string;
  /** Newest event time seen, or when watching began for a stream that has not delivered yet. */
  lastEvent: number;
  connection?: ManagedConnection;
  /** When silence was last acted on; a stream that stays silent is retried every two silence periods. */
  flaggedAt?: number;
}

export class StreamTracker {
  private readonly streams = new Map<string, TrackedStream>();

  /** `stream` delivered an event at `eventMs` (on `connection`, when it came from a socket). */
  delivered(stream: string, symbol: string, dataset: string, eventMs: number, connection?: ManagedConnection): void {
    const known = this.streams.get(stream);
    if (known) {
      if (eventMs > known.lastEvent) known.lastEvent = eventMs;
      if (connection) known.connection = connection;
      known.flaggedAt = undefined;
    } else {
      this.streams.set(stream, { symbol, dataset, lastEvent: eventMs, connection });
    }
  }

  /** Starts watching a subscribed stream that has not delivered yet, as if its last event were at `sinceMs`. */
  watch(stream: string, symbol: string, dataset: string, sinceMs: number, connection: ManagedConnection): void {
    if (!this.streams.has(stream)) this.streams.set(stream, { symbol, dataset, lastEvent: sinceMs, connection });
  }

  get(stream: string): TrackedStream | undefined {
    return this.streams.get(stream);
  }

  all(): IterableIterator<[string, TrackedStream]> {
    return this.streams.entries();
  }

  /** Streams that may have missed data when `connection` dropped: its own, and those no connection delivered yet. */
  *exposedTo(connection: ManagedConnection): Generator<[string, TrackedStream]> {
    for (const entry of this.streams) if (entry[1].connection === connection || !entry[1].connection) yield entry;
  }
}
