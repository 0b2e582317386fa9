import type { ManagedConnection } from './managed-connection';
import type { StreamTracker, TrackedStream } from './stream-tracker';

/**
 * Finds streams with a cadence that have fallen silent while their connection still delivers other streams
 * (the routed-endpoint trap: subscribed, acknowledged, never fed). A socket that delivers nothing at all is
 * the socket's own silence timer's business (ws-connection.ts); this is the silence of one stream among many.
 */

/**
 * Silence thresholds per dataset for streams that have a cadence: Binance pushes a kline every ~2 s and a
 * closed one every interval, depth10 every 100 ms, markPrice every second. Trades, quotes and liquidations
 * follow the market and may legitimately pause.
 */
export const DEFAULT_STREAM_SILENCE_MS: Readonly<Record<string, number>> = {
  klines: 90_000,
  book_top10: 60_000,
  funding: 30_000,
};
/** How often (collector clock) streams are checked for silence. */
const SILENCE_CHECK_MS = 5_000;

export interface SilenceWatchdogOptions {
  streams: StreamTracker;
  /** Their subscribed streams are watched from the first check on, even if they never deliver. */
  connections: readonly ManagedConnection[];
  /** Per dataset, replacing the defaults (DEFAULT_STREAM_SILENCE_MS). */
  thresholds?: Partial<Record<string, number>>;
  /** `stream` has been silent for `silentMs`; called again every two thresholds while it stays silent. */
  onSilent(stream: string, tracked: TrackedStream, silentMs: number): void;
}

export class SilenceWatchdog {
  private readonly thresholds: Record<string, number>;
  private nextCheck = 0;
  private seeded = false;

  constructor(private readonly options: SilenceWatchdogOptions) {
    this.thresholds = { ...DEFAULT_STREAM_SILENCE_MS, ...options.thresholds } as Record<string, number>;
  }

  /** The collector's clock reads `now`: checks the streams when a check is due (the first call only sets the pace). */
  tick(now: number): void {
    if (now < this.nextCheck) return;
    if (this.nextCheck > 0) this.check(now);
    this.nextCheck = now + SILENCE_CHECK_MS;
  }

  private check(now: number): void {
    if (!this.seeded) {
      this.seeded = true;
      for (const connection of this.options.connections) {
        for (const { name, symbol, dataset } of connection.spec.streams)
          this.options.streams.watch(name, symbol, dataset, now, connection);
      }
    }
    for (const [stream, tracked] of this.options.streams.all()) {
      const limit = this.thresholds[tracked.dataset];
      if (!limit || now - tracked.lastEvent < limit) continue;
      if (tracked.flaggedAt !== undefined && now - tracked.flaggedAt < 2 * limit) continue;
      tracked.flaggedAt = now;
      this.options.onSilent(stream, tracked, now - tracked.lastEvent);
    }
  }
}
