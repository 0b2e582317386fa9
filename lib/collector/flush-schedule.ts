/**
 * When buffers are due for writing, in event time: whenever an event falls past the end of the current flush
 * period (5 minutes by default, flush-interval.ts). Periods are aligned to the epoch, so hour boundaries are
 * period boundaries too. Event time, not wall time: a replay or a simulator running a day in minutes flushes as
 * often per simulated hour as the live collector does per hour.
 *
 * A period includes its end: an event stamped exactly on a boundary still belongs to the period it closes. Bars
 * close on their boundary (the simulator stamps a kline's final update, and the book and quotes read with it, at
 * the bar's end), so the flush of a period — the one at an hour's end included — holds the bars closing it instead
 * of leaving them to a straggler file one period later.
 */
export class FlushSchedule {
  private period = NaN;

  constructor(private readonly intervalMs: number) {}

  /**
   * True when `eventMs` falls in a later period than the events before it; the first event only starts the count,
   * and a time that is not a number is ignored.
   */
  due(eventMs: number): boolean {
    if (!Number.isFinite(eventMs)) return false;
    // Periods are (boundary - interval, boundary]: a boundary's own millisecond still counts to the period before.
    const period = Math.ceil(eventMs / this.intervalMs);
    if (Number.isNaN(this.period)) {
      this.period = period;
      return false;
    }
    if (period <= this.period) return false;
    this.period = period;
    return true;
  }
}
