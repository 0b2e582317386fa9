import { fork } from 'node:child_process';
import path from 'node:path';
import type { ChildOutcome, ChildTask, Json } from './types';

/**
 * Runs one task in a fresh Node process so that its peak RSS, heap and module loading are its own: measuring
 * several libraries in one process would let the first one's garbage and the second one's warm caches colour
 * every figure. The child's output is passed on to our stderr, so stray prints never land in the Markdown on
 * stdout; its tail is kept to name a death the child could not report itself (V8 out of memory).
 */

const CHILD_MAIN = path.join(__dirname, 'child-main.ts');
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const TAIL_CHARS = 8_000;

export function runChild<T extends Json = Json>(task: ChildTask, cwd: string): Promise<ChildOutcome<T>> {
  return new Promise((resolve) => {
    let outcome: ChildOutcome<T> | undefined;
    let timedOut = false;
    let tail = '';
    const child = fork(CHILD_MAIN, [], {
      cwd,
      // tsx as an --import hook: the child runs the section's .ts modules directly, like `npm run bench` does.
      execArgv: ['--import', 'tsx', ...(task.nodeFlags ?? [])],
      env: { ...process.env, BENCH_TASK: JSON.stringify({ module: task.module, fn: task.fn, args: task.args ?? null }) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const pass = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', pass);
    child.stderr?.on('data', pass);
    const timeoutMs = task.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m) => {
      outcome = m as ChildOutcome<T>;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `could not start child: ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (outcome) return resolve(outcome);
      const heapFlag = task.nodeFlags?.find((f) => f.startsWith('--max-old-space-size'));
      const why = timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : /heap out of memory/i.test(tail)
          ? `V8 heap out of memory${heapFlag ? ` (${heapFlag})` : ''}`
          : signal
            ? `killed by ${signal}`
            : `exited with code ${code} without a result`;
      resolve({ ok: false, error: why });
    });
  });
}
