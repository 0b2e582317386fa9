import type { NormalizedRecord } from '../exchanges/types';
import type { Logger } from '../util/log';
import type { CollectorClock } from './clock';
import { RestPoller, type RestPollSpec } from './rest-poller';

/**
 * A collector's REST pollers (open interest), on the collector's clock. On wall time each poller looks at the
 * clock on its own timer; on event time, which moves only when events arrive, the collector ticks them as it
 * reads events (a timer would skip the simulator's periods).
 */

export interface RestPollsOptions {
  specs: readonly RestPollSpec[];
  clock: CollectorClock;
  log: Logger;
  /** Least pause after an HTTP 418 (RestPollerOptions.banPauseMs). */
  banPauseMs?: number;
  onRecords(records: NormalizedRecord[]): void;
  /** A reading that should have happened did not: an interruption of `target.stream`. */
  onMissed(target: { symbol: string; stream: string }, cause: string): void;
}

export class RestPolls {
  readonly pollers: RestPoller[];

  constructor(private readonly options: RestPollsOptions) {
    const { clock } = options;
    this.pollers = options.specs.map(
      (spec) =>
        new RestPoller({
          spec,
          clock: () => clock.now(),
          log: options.log,
          banPauseMs: options.banPauseMs,
          tickMs: clock.eventDriven ? 0 : undefined,
          onRecords: (records) => options.onRecords(records),
          onMissed: (target, cause) => options.onMissed(target, cause),
        }),
    );
  }

  start(): void {
    for (const poller of this.pollers) poller.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.stop()));
  }

  /** Events moved the clock: an event-driven clock's pollers check now whether a round is due. */
  clockAdvanced(): void {
    if (this.options.clock.eventDriven) for (const poller of this.pollers) poller.tick();
  }
}
