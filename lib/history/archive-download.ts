import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';

/**
 * Fetching archive files over HTTP for `lakehouse history` (docs/history.md, "Downloads"): a body streams to a file
 * while its sha256 is computed (constant memory), and what a CDN does under load is retried with exponential backoff
 * and seeded jitter: 429 and 503 honouring `Retry-After`, any other 5xx, a connection reset, a body shorter than its
 * Content-Length. A 404 is an answer (`missing`: the archive lacks the file), not a failure; any other 4xx fails at
 * once. The clock is injected (`sleep`, `now`), so tests run without waiting.
 */

export interface RetryPolicy {
  /** Requests of one URL before giving up (the first included). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is cut to it: a run should not sleep for an hour on one header. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

export interface DownloadOptions {
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter's source, seeded so a run's waits can be replayed (seededRandom). */
  readonly random: () => number;
  readonly now?: () => number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly fetchImpl?: typeof fetch;
  /** Hears of each retry: what went wrong and how long the wait is. */
  readonly onRetry?: (event: { url: string; attempt: number; delayMs: number; problem: string }) => void;
}

export type Fetched<T> = { readonly found: true; readonly value: T } | { readonly found: false };

/** A URL that could not be fetched: retries exhausted, or an answer that retrying cannot change. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** mulberry32: a small deterministic generator for the jitter (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The wait before retry number `retry` (1 for the first): `Retry-After` when the server sent one (seconds or an
 * HTTP date), else exponential backoff with "equal jitter" (half fixed, half random) so parallel workers spread out.
 */
export function retryDelayMs(
  retry: number,
  retryAfter: string | null,
  policy: RetryPolicy,
  random: () => number,
  nowMs: number,
): number {
  if (retryAfter !== null) {
    const seconds = /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - nowMs;
    if (Number.isFinite(seconds)) return Math.min(policy.maxRetryAfterMs, Math.max(0, seconds));
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A failed attempt worth another: its problem and the server's Retry-After, if any. */
class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

const RETRY_STATUS = (status: number): boolean => status === 429 || status >= 500;

/** Runs `attempt` until it answers, retrying what Retryable says is worth it. */
async function withRetries<T>(url: string, options: DownloadOptions, attempt: () => Promise<T>): Promise<T> {
  const policy = options.retry ?? DEFAULT_RETRY;
  for (let tries = 1; ; tries++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Retryable)) throw error;
      if (tries >= policy.attempts) throw new DownloadError(`${url}: ${error.message} (gave up after ${tries} attempts)`);
      const delayMs = retryDelayMs(tries, error.retryAfter, policy, options.random, (options.now ?? Date.now)());
      options.onRetry?.({ url, attempt: tries, delayMs, problem: error.message });
      await options.sleep(delayMs);
    }
  }
}

/** The response of one GET, or why another attempt is worth it; 404 as `null`. */
async function get(url: string, options: DownloadOptions): Promise<Response | null> {
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // fetch rejects with a TypeError on refused or reset connections and DNS failures: all worth a retry.
    throw new Retryable(`connection failed (${causeOf(error)})`);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (RETRY_STATUS(response.status)) {
    await response.body?.cancel();
    throw new Retryable(`HTTP ${response.status}`, response.headers.get('retry-after'));
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownloadError(`${url}: HTTP ${response.status}`);
  }
  return response;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A small text answer (a `.CHECKSUM`), whole. */
export function fetchText(url: string, options: DownloadOptions): Promise<Fetched<string>> {
  return withRetries(url, options, async () => {
    const response = await get(url, options);
    if (!response) return { found: false };
    const bytes = await readBody(response).catch((error: unknown) => {
      throw error instanceof Retryable ? error : new Retryable(`body cut off (${causeOf(error)})`);
    });
    return { found: true, value: Buffer.concat(bytes.chunks).toString('utf8') };
  });
}

/** Streams a GET's body to `dest` (replacing it), hashing it on the way: bytes and sha256 of what was written. */
export function downloadToFile(
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<Fetched<{ bytes: number; sha256: string }>> {
  return withRetries(url, options, async () => {
    const response = await get(url, options);
    if (!response) return { found: false };
    const hash = createHash('sha256');
    const handle = await fs.open(dest, 'w');
    try {
      const body = await readBody(response, async (chunk) => {
        hash.update(chunk);
        await handle.write(chunk);
      });
      return { found: true, value: { bytes: body.bytes, sha256: hash.digest('hex') } };
    } catch (error) {
      if (error instanceof Retryable || options.signal?.aborted) throw error;
      throw new Retryable(`body cut off (${causeOf(error)})`);
    } finally {
      await handle.close();
    }
  });
}

/**
 * Reads a body chunk by chunk into `sink` (or, without one, into `chunks`: small texts only) and checks
 * its length against Content-Length: a connection that ends early without an error is a truncated body too.
 */
async function readBody(
  response: Response,
  sink?: (chunk: Uint8Array) => Promise<void>,
): Promise<{ bytes: number; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  if (response.body) {
    // fetch bodies are bytes; Node's types leave the stream's chunks untyped.
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      bytes += chunk.length;
      if (sink) await sink(chunk);
      else chunks.push(chunk);
    }
  }
  const promised = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(promised) && promised !== bytes) throw new Retryable(`body of ${bytes} bytes, ${promised} promised`);
  return { bytes, chunks };
}
