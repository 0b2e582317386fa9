/**
 * When buffers are due for writing, in event time: whenever an event opens a new flush period (5 minutes by
 * default, flush-interval.ts). Periods are aligned to the epoch, so hour boundaries are period boundaries too.
 * Event time, not wall time: a replay or a simulator running a day in minutes flushes as often per simulated
 * hour as the live collector does per hour.
 */
export class FlushSchedule {
  private period = -1;

  constructor(private readonly intervalMs: number) {}

  /** True when `eventMs` falls in a later period than the events before it; the first event only starts the count. */
  due(eventMs: number): boolean {
    const period = Math.floor(eventMs / this.intervalMs);
    if (this.period < 0) {
      this.period = period;
      return false;
    }
    if (period <= this.period) return false;
    this.period = period;
    return true;
  }
}
