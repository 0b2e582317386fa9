import type { Logger } from '../util/log';

/**
 * How a running collector learns that it must stop, for both entry points (the Fargate container and
 * `lakehouse collect`): SIGTERM (ECS, `kill`), SIGINT (Ctrl-C), SIGHUP (its terminal closed), its parent process
 * going away, a crash, or the caller's own reasons (a duration, the end of a simulation). The first request
 * starts the bounded flush; later ones are reported and otherwise ignored, so an impatient second Ctrl-C or a
 * repeated SIGTERM cannot cut the flush short and lose the buffered rows.
 *
 * The parent watch exists for `npx lakehouse collect`: npm runs the command through `sh -c`, forwards SIGTERM
 * to that shell only, and the shell dies without passing it on, so the collector would run on as an orphan
 * (docs/collector.md, "Stopping"). A collector started with no parent to lose (PID 1 in a container, or already
 * adopted by init) is not watched.
 */

export interface StopRequest {
  /** Why: `SIGTERM`, `SIGINT`, `SIGHUP`, `parent process exited`, `crash`, or the caller's own reason. */
  reason: string;
  /** The exit code when every row was written: 0, or 1 after a crash. */
  exitCode: number;
}

/** The parts of `process` used here; tests pass a stand-in (an EventEmitter with a `ppid`). */
export type ProcessLike = Pick<NodeJS.EventEmitter, 'on' | 'removeListener'> & { readonly ppid: number };
// Process events carry differing arguments.
type Listener = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StopRequestsOptions {
  log: Logger;
  /** Called for every request after the first, e.g. to tell a user at the terminal that the flush goes on. */
  onRepeat?(request: StopRequest, first: StopRequest): void;
  /** How often the parent process is looked for (default 1 s; 0 turns the watch off). */
  parentPollMs?: number;
  proc?: ProcessLike;
}

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const DEFAULT_PARENT_POLL_MS = 1000;

export class StopRequests {
  /** Resolves with the first request. */
  readonly requested: Promise<StopRequest>;
  private first?: StopRequest;
  private resolve!: (request: StopRequest) => void;
  private readonly proc: ProcessLike;
  private readonly listeners: [string, Listener][] = [];
  private parentTimer?: NodeJS.Timeout;
  /** The parent at start; 0 when there is none to lose. */
  private readonly parent: number;

  constructor(private readonly options: StopRequestsOptions) {
    this.proc = options.proc ?? process;
    this.parent = this.proc.ppid > 1 ? this.proc.ppid : 0;
    this.requested = new Promise((resolve) => {
      this.resolve = resolve;
    });
    for (const signal of STOP_SIGNALS) this.listen(signal, () => this.request({ reason: signal, exitCode: 0 }));
    // A bug must not throw away minutes of buffered rows: log it, flush, and exit non-zero.
    this.listen('uncaughtException', (err: Error) => this.crash(err, 'uncaught exception'));
    this.listen('unhandledRejection', (err: unknown) => this.crash(err, 'unhandled rejection'));
    const pollMs = options.parentPollMs ?? DEFAULT_PARENT_POLL_MS;
    if (pollMs > 0 && this.parent) {
      this.parentTimer = setInterval(() => this.checkParent(), pollMs);
      this.parentTimer.unref();
    }
  }

  /** Requests a stop if the parent process has gone (done on a timer; callable directly). */
  checkParent(): void {
    // An orphan is adopted by init or a subreaper: either way its parent id changes.
    if (this.parent && !this.first && this.proc.ppid !== this.parent)
      this.request({ reason: 'parent process exited', exitCode: 0 });
  }

  /** The first request so far, if any. */
  get current(): StopRequest | undefined {
    return this.first;
  }

  request(stop: StopRequest): void {
    if (this.first) {
      // A caller that tells the user itself keeps the log quiet (the CLI's stderr is the user's terminal).
      if (this.options.onRepeat) this.options.onRepeat(stop, this.first);
      else this.options.log.warn({ reason: stop.reason, stopping: this.first.reason }, 'already stopping');
      return;
    }
    this.first = stop;
    clearInterval(this.parentTimer);
    this.options.log.info({ reason: stop.reason }, 'stop requested');
    this.resolve(stop);
  }

  /** Removes the listeners and the parent watch (the process exits soon after, or a test moves on). */
  close(): void {
    for (const [event, listener] of this.listeners) this.proc.removeListener(event, listener);
    this.listeners.length = 0;
    clearInterval(this.parentTimer);
  }

  private listen(event: string, listener: Listener): void {
    this.proc.on(event, listener);
    this.listeners.push([event, listener]);
  }

  private crash(err: unknown, what: string): void {
    this.options.log.fatal({ err }, what);
    this.request({ reason: 'crash', exitCode: 1 });
  }
}
