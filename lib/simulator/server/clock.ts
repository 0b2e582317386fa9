/** Simulated time. The server stamps every event with it; collectors talking to the simulator read it too. */
export interface SimClock {
  /** Current simulated time, epoch ms. */
  now(): number;
}

/** Simulated time running `speed` times faster than the wall clock from `start`, holding at `end`. */
export class ScaledClock implements SimClock {
  private readonly wallStart = performance.now();

  constructor(
    private readonly start: number,
    private readonly speed: number,
    private readonly end = Infinity,
  ) {}

  now(): number {
    return Math.min(this.end, Math.floor(this.start + (performance.now() - this.wallStart) * this.speed));
  }
}

/** Simulated time moved by whoever drives it: in 'max' mode, the point up to which the feed has been sent. */
export class DrivenClock implements SimClock {
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }
}
