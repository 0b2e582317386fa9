/**
 * When and in which order the Bronze uploader (bronze-uploader.ts) tries the store: pure functions of the
 * uploader's state and the time, so the policy is tested without timers, a store or a disk.
 *
 * - `upload()` retries a put a few times with backoff, unless the store is known to be failing: then one try,
 *   so a flush during an outage does not wait out the retries for every file.
 * - A background pass tries every pending object once, oldest first, after a probe: the object tried least
 *   recently goes first, and when it fails before anything succeeded the pass stops. An outage then costs one
 *   request per pass, and one bad key cannot hold up the others (the next pass probes another object).
 * - Passes that fail are spaced by capped exponential backoff; a pass with no failure resets it.
 * - At shutdown, passes run back to back with short pauses until a deadline.
 */

export interface RetryOptions {
  /** Tries of `put` in `upload()` before spooling (at least 1). */
  attempts: number;
  initialMs: number;
  maxMs: number;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** A pending object as the policy sees it. */
export interface DrainCandidate {
  /** Sequence number of its latest try (higher is more recent), or -1 if never tried. */
  readonly lastTry: number;
}

/** Puts of one pass so far. */
export interface PassTally {
  ok: number;
  failed: number;
}

/** Exponential backoff for the `retry`th retry (0-based), capped, with "equal jitter": [d/2, d). */
export function backoffDelay(retry: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(retry, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Tries of `put` in `upload()`: the configured attempts, or one while the latest put failed and none has succeeded since. */
export function uploadAttempts(storeFailing: boolean, retry: RetryOptions): number {
  return storeFailing ? 1 : retry.attempts;
}

/** Pause before the next background pass, after `failedPasses` passes in a row that ended with a failure. */
export function nextPassDelay(failedPasses: number, backoff: BackoffOptions, random: () => number): number {
  return backoffDelay(Math.max(0, failedPasses - 1), backoff, random);
}

/**
 * The objects of one pass in the order they are tried: the probe (tried least recently; the oldest among
 * equals) first, then the others oldest first. `pending` is oldest first.
 */
export function passOrder<T extends DrainCandidate>(pending: readonly T[]): T[] {
  if (pending.length === 0) return [];
  let probe = pending[0];
  for (const candidate of pending) if (candidate.lastTry < probe.lastTry) probe = candidate;
  return [probe, ...pending.filter((candidate) => candidate !== probe)];
}

/** Whether a pass goes on to its next object: not past its deadline, and not after a failure with no success before it. */
export function passGoesOn(tally: PassTally, now: number, deadline: number): boolean {
  if (tally.failed > 0 && tally.ok === 0) return false;
  return now < deadline;
}

/** How long a put may take: its own limit, or what is left before the pass's deadline (at least 1 ms). */
export function putTimeout(now: number, deadline: number, limitMs: number): number {
  return Math.min(limitMs, Math.max(1, deadline - now));
}

/** Pause after shutdown round `round` (0-based) when `leftMs` remain before the deadline; undefined: no time left. */
export function shutdownPause(round: number, leftMs: number, retry: RetryOptions, random: () => number): number | undefined {
  if (leftMs <= 0) return undefined;
  return Math.min(leftMs, backoffDelay(round, retry, random));
}
