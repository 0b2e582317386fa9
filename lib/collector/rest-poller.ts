import type { NormalizedRecord } from '../exchanges/types';
import type { Logger } from '../util/log';

/**
 * Polls a REST endpoint per symbol on its own timer (open interest every 5 minutes). Every time it uses (when a
 * reading is due, how long a refusal pauses it, the receive time of a reading) comes from the injected
 * `clock`: the wall clock in AWS, the simulator's accelerated event time locally, a test's fake clock in
 * tests. Wall time only decides how often that clock is looked at. It obeys the exchange: 429 waits for
 * `Retry-After`, 418 (an IP ban) backs off hard, doubling each time it recurs. A missed reading is an
 * interruption of that stream: it is reported so the gap ledger records it.
 */

export interface RestPollSpec {
  /** Dataset name, for logs and counters (e.g. open_interest). */
  name: string;
  intervalMs: number;
  targets: readonly { symbol: string; url: string; stream: string }[];
  parse(
    text: string,
    receiveMs: number,
    symbol: string,
  ): { kind: 'records'; records: NormalizedRecord[] } | { kind: 'error'; reason: string };
}

export interface RestPollerOptions {
  spec: RestPollSpec;
  /**
   * Epoch ms. Retry-After and ban pauses are measured on it too: they are the exchange's seconds, and a
   * simulator that refuses requests counts them in its own (accelerated) time.
   */
  clock(): number;
  onRecords(records: NormalizedRecord[]): void;
  /** A reading that should have happened did not (refused, failed, unparseable). */
  onMissed(target: { symbol: string; stream: string }, cause: string): void;
  log: Logger;
  /** Least pause after a 418 (default 2 min, on `clock`); doubles while bans recur. */
  banPauseMs?: number;
  /**
   * Wall-clock period at which `start` checks whether a round is due (default 1 s). 0: no timer, the owner
   * calls `tick` (a clock driven by events does not move between them, so a timer would only add noise).
   */
  tickMs?: number;
  fetch?: typeof fetch;
}

export interface RestPollStats {
  requests: number;
  readings: number;
  refused429: number;
  refused418: number;
  failures: number;
  /** Time on `clock` before which no request is sent. */
  pausedUntil: number;
}

const DEFAULT_BAN_PAUSE_MS = 120_000;
const REQUEST_TIMEOUT_MS = 10_000;

export class RestPoller {
  readonly stats: RestPollStats = { requests: 0, readings: 0, refused429: 0, refused418: 0, failures: 0, pausedUntil: 0 };
  private timer?: NodeJS.Timeout;
  private nextDue = NaN;
  private running?: Promise<void>;
  private bans = 0;

  constructor(private readonly options: RestPollerOptions) {}

  start(): void {
    const every = this.options.tickMs ?? 1000;
    if (every <= 0) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves once the round in flight (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Runs a round when one is due; rounds never overlap. */
  tick(): void {
    if (this.running) return;
    const now = this.options.clock();
    if (!(now > 0) || now < this.stats.pausedUntil) return;
    if (Number.isNaN(this.nextDue)) this.nextDue = now;
    if (now < this.nextDue) return;
    this.nextDue = (Math.floor(now / this.options.spec.intervalMs) + 1) * this.options.spec.intervalMs;
    this.running = this.round().finally(() => {
      this.running = undefined;
    });
  }

  private async round(): Promise<void> {
    for (const target of this.options.spec.targets) {
      if (this.options.clock() < this.stats.pausedUntil) {
        this.options.onMissed(target, 'rest_refused');
        continue;
      }
      await this.poll(target);
    }
  }

  private async poll(target: RestPollSpec['targets'][number]): Promise<void> {
    const fetchFn = this.options.fetch ?? fetch;
    this.stats.requests++;
    let res: Response;
    try {
      res = await fetchFn(target.url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      this.stats.failures++;
      this.options.log.warn({ url: target.url, err: (err as Error).message }, `${this.options.spec.name} poll failed`);
      this.options.onMissed(target, 'rest_failed');
      return;
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status === 418) {
      const retryAfterMs = Math.max(0, Number(res.headers.get('retry-after') ?? 0) * 1000) || 1000;
      let pause = retryAfterMs;
      if (res.status === 418) {
        this.stats.refused418++;
        pause = Math.max(retryAfterMs, (this.options.banPauseMs ?? DEFAULT_BAN_PAUSE_MS) * 2 ** this.bans++);
      } else {
        this.stats.refused429++;
      }
      this.stats.pausedUntil = this.options.clock() + pause;
      this.options.log.warn(
        { status: res.status, pauseMs: pause },
        `${this.options.spec.name}: exchange refused requests; pausing`,
      );
      this.options.onMissed(target, 'rest_refused');
      return;
    }
    const out = res.ok
      ? this.options.spec.parse(text, this.options.clock(), target.symbol)
      : { kind: 'error' as const, reason: `HTTP ${res.status}` };
    if (out.kind === 'error') {
      this.stats.failures++;
      this.options.log.warn(
        { url: target.url, reason: out.reason, body: text.slice(0, 200) },
        `${this.options.spec.name} poll rejected`,
      );
      this.options.onMissed(target, 'rest_failed');
      return;
    }
    this.bans = 0;
    this.stats.readings += out.records.length;
    this.options.onRecords(out.records);
  }
}
