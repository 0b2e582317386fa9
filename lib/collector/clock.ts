/**
 * The collector's one clock. Every time the collector uses — a message's receive time, a connection's age,
 * when a stream counts as silent, when a REST poll is due, when a gap was detected — comes from it.
 *
 * Against a real exchange that is the wall clock. Against a simulator or a replay, whose clock runs ahead of
 * what the client has read, it is event time: the latest exchange event time the collector has buffered. Then
 * messages without an event time of their own (Binance spot depth10 and bookTicker) land at the moment they
 * describe, and ages and silences are measured in the feed's own time. Timers still run on wall time; they
 * only decide how often the clock is looked at, and an event clock is looked at when events arrive instead.
 */

/** Anything that tells the time, epoch ms (a simulator's clock, a test's fake clock). */
export interface Clock {
  now(): number;
}

export interface CollectorClock extends Clock {
  /** Told every event time the collector buffers; the wall clock ignores it. */
  observe(eventMs: number): void;
  /** True when time moves only as events arrive, so nothing should wait on a wall-clock timer for it. */
  readonly eventDriven: boolean;
}

/** Time that moves by itself: wall time, or what `read` says (a test's fake clock, a replay's receive times). */
export class WallClock implements CollectorClock {
  readonly eventDriven = false;

  constructor(private readonly read: () => number = Date.now) {}

  now(): number {
    return this.read();
  }

  observe(_eventMs: number): void {}
}

/**
 * The latest event time seen. Before the first event there is none, and `before` answers: the simulator's
 * own clock, so the first messages are stamped near the time they describe rather than at 1970.
 */
export class EventClock implements CollectorClock {
  readonly eventDriven = true;
  private latestEventMs = 0;

  constructor(private readonly before: Clock) {}

  now(): number {
    return this.latestEventMs > 0 ? this.latestEventMs : this.before.now();
  }

  observe(eventMs: number): void {
    if (eventMs > this.latestEventMs) this.latestEventMs = eventMs;
  }
}
