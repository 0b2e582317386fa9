import { TICK_MS } from '../market/book';
import type { MarketFeed } from '../market/feed';
import type { ExchangePersonality } from '../personality/personality';
import { DrivenClock, type SimClock } from './clock';
import type { StreamHub } from './stream-hub';

/**
 * Moves simulated time forward and sends what happened. At a fixed speed the feed catches up with the clock on
 * a short wall-clock timer; in 'max' mode the feed drives the clock, one simulated second per step, waiting
 * for the slowest client's socket to drain and for a subscriber to exist.
 */

/** Wall-clock period at which a fixed-speed simulator catches the feed up with its clock. */
const PUMP_INTERVAL_MS = 10;
/** Simulated time sent per step in 'max' mode before checking backpressure. */
const MAX_MODE_STEP_MS = 1000;
/** Bytes queued for one client beyond which 'max' mode waits for it. */
const HIGH_WATER_BYTES = 1 << 20;

export interface Pacer {
  readonly ended: boolean;
  untilEnd(): Promise<void>;
  stop(): void;
}

export function startPacer(
  feed: MarketFeed,
  hub: StreamHub,
  personality: ExchangePersonality,
  clock: SimClock,
  end: number,
): Pacer {
  let stopped = false;
  let ended = false;
  let markEnded!: () => void;
  const endedPromise = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  const lastTick = Math.floor(end / TICK_MS) * TICK_MS;

  const sendUntil = (to: number) => {
    hub.batch(() => feed.advance(Math.min(to, end), hub.demand, (e) => personality.render(e, hub.wants, hub.publish)));
    hub.applySessionFaults();
    if (!ended && feed.cursor >= lastTick) {
      ended = true;
      markEnded();
    }
  };

  let timer: NodeJS.Timeout | undefined;
  if (clock instanceof DrivenClock) {
    void (async () => {
      while (!stopped && !ended) {
        if (hub.demand.size === 0) {
          await hub.waitForDemand();
          continue;
        }
        sendUntil(feed.cursor + MAX_MODE_STEP_MS);
        clock.set(feed.cursor);
        await hub.drain(HIGH_WATER_BYTES);
        // Let sockets, REST requests and subscribe messages in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
  } else {
    timer = setInterval(() => {
      sendUntil(clock.now());
      if (ended) clearInterval(timer);
    }, PUMP_INTERVAL_MS);
  }

  return {
    get ended() {
      return ended;
    },
    untilEnd: () => endedPromise,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
