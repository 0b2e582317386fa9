import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Circus } from '@jest/types';
import { addEventHandler, getState } from 'jest-circus';

/**
 * Loaded into every test process before each test file (jest.config.js `setupFilesAfterEnv`).
 *
 * Timeouts. jest-light-runner calls test and hook functions itself and ignores their timeouts, so a test that
 * never settles used to hang its file and the whole run. Each test and hook is wrapped as circus registers it:
 * it races its own timeout (the third argument, else jest's `testTimeout`) and fails with its full name when
 * that passes. A race cannot fire while the event loop is blocked (a synchronous endless loop), so a watchdog
 * thread kills the test process a little after the deadline, naming the test on stderr; the runner then
 * reports the file as failed and carries on with a fresh process.
 *
 * Output. What code under test writes to stdout and stderr (pino warnings of handlers under test, console
 * lines) would land in the middle of jest's report. It is buffered per test and per hook instead, dropped when
 * the test passes and appended to the failure message when it fails, together with what the file's loading and
 * its enclosing `beforeAll` hooks wrote. `TEST_OUTPUT=live` turns the buffering off.
 */

const DEFAULT_TIMEOUT_MS = 5_000;
/** How long after its timeout a test that blocks the event loop is killed: the race gets the first chance. */
const WATCHDOG_GRACE_MS = Number(process.env.LAKEHOUSE_TEST_WATCHDOG_GRACE_MS) || 10_000;
/** Per test or hook: output beyond this keeps its latest part. */
const OUTPUT_CAP_CHARS = 32_000;

/** Set by test/setup/runner.mjs from jest's own `testTimeout` (config or `--testTimeout`). */
const defaultTimeoutMs = Number(process.env.LAKEHOUSE_TEST_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
const live = process.env.TEST_OUTPUT === 'live';

type Entry = Circus.TestEntry | Circus.Hook;

// ---------------------------------------------------------------------------------------------------------------
// Output buffering

interface Output {
  label: string;
  chunks: string[];
  chars: number;
  dropped: number;
}

const outputs = new WeakMap<object, Output>();
let current: Output | undefined;

function outputOf(key: object, label: string): Output {
  let o = outputs.get(key);
  if (!o) outputs.set(key, (o = { label, chunks: [], chars: 0, dropped: 0 }));
  return o;
}

function capture(chunk: unknown, encoding?: unknown): void {
  const text =
    typeof chunk === 'string'
      ? chunk
      : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  // Written outside any test or hook: while the file loads.
  const o = current ?? outputOf(getState().rootDescribeBlock, 'while the test file loaded');
  o.chunks.push(text);
  o.chars += text.length;
  while (o.chars > OUTPUT_CAP_CHARS && o.chunks.length > 1) {
    const first = o.chunks.shift()!;
    o.chars -= first.length;
    o.dropped += first.length;
  }
}

function installCapture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
      capture(chunk, encoding);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }
  // pino writes to fd 2 with fs.writeSync (sonic-boom in sync mode), bypassing process.stderr.
  const writeSync = fs.writeSync;
  fs.writeSync = (fd: number, buffer: unknown, ...rest: unknown[]) => {
    if (fd !== 1 && fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
    const text = typeof buffer === 'string' ? buffer : Buffer.from(buffer as Uint8Array).toString('utf8');
    capture(text);
    return typeof buffer === 'string' ? Buffer.byteLength(text) : (buffer as Uint8Array).byteLength;
  };
}

/** The buffered output that explains a failure of `entry`: the file's loading, enclosing `beforeAll`s, its own. */
function outputFor(entry: Entry): string {
  const parts: Output[] = [];
  const blocks: Circus.DescribeBlock[] = [];
  for (let b: Circus.DescribeBlock | undefined = entry.parent; b; b = b.parent) blocks.unshift(b);
  const root = outputs.get(blocks[0]);
  if (root) parts.push(root);
  if (entry.type !== 'beforeAll') {
    for (const b of blocks) {
      for (const h of b.hooks) {
        const o = h.type === 'beforeAll' ? outputs.get(h) : undefined;
        if (o) parts.push(o);
      }
    }
  }
  const own = outputs.get(entry);
  if (own) parts.push(own);
  const shown = parts.filter((p) => p.chars > 0);
  if (shown.length === 0) return '';
  const body = shown.map((p) => {
    const dropped = p.dropped > 0 ? ` (its first ${p.dropped} characters dropped)` : '';
    return `--- output ${p.label}${dropped} ---\n${p.chunks.join('').trimEnd()}`;
  });
  return `\n\n${body.join('\n')}\n--- end of output ---`;
}

// ---------------------------------------------------------------------------------------------------------------
// Timeouts

const WATCHDOG_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
let timer;
parentPort.on('message', (m) => {
  clearTimeout(timer);
  if (!m.arm) return;
  timer = setTimeout(() => {
    const what = m.what + ' blocked the event loop past its timeout of ' + m.timeoutMs + ' ms';
    fs.writeSync(2, '\\n' + what + '; killing its test process ' + m.pid + '\\n');
    process.kill(m.pid, 'SIGKILL');
  }, m.timeoutMs + m.graceMs);
});
`;

let watchdog: Worker | undefined;
function arm(what: string, timeoutMs: number): void {
  if (!watchdog) {
    watchdog = new Worker(WATCHDOG_SOURCE, { eval: true, execArgv: [] });
    watchdog.unref();
  }
  watchdog.postMessage({ arm: true, what, timeoutMs, graceMs: WATCHDOG_GRACE_MS, pid: process.pid });
}
const disarm = () => watchdog?.postMessage({ arm: false });

function fullName(block: Circus.DescribeBlock | undefined, name: string): string {
  const names = [name];
  for (let b = block; b?.parent; b = b.parent) names.unshift(b.name);
  return names.join(' > ');
}

/** A test or hook function: one that declares a parameter takes a `done` callback (jest tells them apart by arity). */
type JestFn = (done: (err?: unknown) => void) => unknown;

/** Calls a test or hook function the way jest does: a function that takes an argument gets a `done` callback. */
function call(fn: JestFn): Promise<unknown> {
  if (fn.length === 0) return Promise.resolve().then(() => (fn as () => unknown)());
  return new Promise((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- done(err) fails with what it is given, as in jest
    fn((err?: unknown) => (err ? reject(err) : resolve(undefined)));
  });
}

const OWN_FRAME = /\n\s+at .*test\/setup\/guard\.ts.*/g;

/** The error with the buffered output appended to its message (before the stack frames, which lose ours). */
function withOutput(err: unknown, entry: Entry): unknown {
  const extra = live ? '' : outputFor(entry);
  if (!(err instanceof Error)) return extra ? new Error(`${String(err)}${extra}`) : err;
  const frames = err.stack?.replace(OWN_FRAME, '') ?? '';
  const at = frames.search(/\n\s+at /);
  const head = at < 0 ? frames : frames.slice(0, at);
  err.message += extra;
  err.stack = `${head}${extra}${at < 0 ? '' : frames.slice(at)}`;
  return err;
}

function guard(entry: Entry, fn: JestFn, timeoutMs: number, what: string): () => Promise<unknown> {
  return async () => {
    const before = current;
    current = live ? undefined : outputOf(entry, entry.type === 'test' ? 'of the test' : `of ${what}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`${what} did not finish within its timeout of ${timeoutMs} ms`);
        // Point at where the test was declared, as jest's own timeout errors do.
        const declared = entry.asyncError.stack?.split('\n').find((l: string) => /^\s+at /.test(l));
        err.stack = declared ? `${err.message}\n${declared}` : err.message;
        reject(err);
      }, timeoutMs);
    });
    arm(what, timeoutMs);
    try {
      await Promise.race([call(fn), timedOut]);
      const { suppressedErrors } = expect.getState();
      if (suppressedErrors.length > 0) suppressedErrors[0] = withOutput(suppressedErrors[0], entry) as Error;
    } catch (err) {
      throw withOutput(err, entry);
    } finally {
      clearTimeout(timer);
      disarm();
      current = before;
    }
  };
}

const handler: Circus.EventHandler = (event, state) => {
  if (event.name === 'add_test') {
    const test = state.currentDescribeBlock.children.at(-1);
    if (test?.type !== 'test' || test.fn !== event.fn || typeof event.fn !== 'function') return;
    const what = `test "${fullName(test.parent, test.name)}"`;
    test.fn = guard(test, event.fn, event.timeout ?? defaultTimeoutMs, what);
  } else if (event.name === 'add_hook') {
    const hook = state.currentDescribeBlock.hooks.at(-1);
    if (!hook || hook.fn !== event.fn) return;
    const where = hook.parent.parent ? ` of "${fullName(hook.parent.parent, hook.parent.name)}"` : '';
    hook.fn = guard(hook, event.fn, event.timeout ?? defaultTimeoutMs, `${hook.type} hook${where}`);
  }
};

const INSTALLED = Symbol.for('lakehouse.test-guard');
const g = globalThis as { [INSTALLED]?: boolean };
// The runner loads setup files once per test process; keep it to one handler and one capture.
if (!g[INSTALLED]) {
  g[INSTALLED] = true;
  addEventHandler(handler);
  if (!live) installCapture();
}
