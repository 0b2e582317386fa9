import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A `lakehouse` command running in the background, for tests that signal it: its output as it arrives, a wait
 * for a line of stderr, and its end. It runs in a process group of its own, so the guard (and `kill()`) can
 * end everything it started, grandchildren included (`npx` → `sh` → `node`), by that group's id.
 */

export const REPO = path.resolve(__dirname, '../..');
const BIN = path.join(REPO, 'bin/lakehouse.js');

export interface Ended {
  /** Exit code of the process we started (null when a signal ended it). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stderr line matching `re` (already printed, or as it arrives). */
  line(re: RegExp): Promise<RegExpMatchArray>;
  /** Resolves when the process we started has exited and every holder of its stdout/stderr has closed them. */
  closed: Promise<Ended>;
  /** SIGKILL to the whole process group (cleanup). */
  kill(): void;
}

export interface StartOptions {
  /** `node bin/lakehouse.js` (default) or `npx lakehouse`, as a user types it in a checkout. */
  via?: 'node' | 'npx';
  env?: Record<string, string>;
  /** Everything is killed after this long: no test waits for ever on a process that does not stop. */
  guardMs: number;
}

export function startLakehouse(args: string[], o: StartOptions): RunningCli {
  const [cmd, argv] = o.via === 'npx' ? ['npx', ['lakehouse', ...args]] : [process.execPath, [BIN, ...args]];
  const child = spawn(cmd, argv, {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // npx must not ask the registry anything: the command is this checkout's own bin.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      npm_config_yes: 'true',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...o.env,
    },
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = err.match(waiters[i].re);
      if (m) waiters.splice(i, 1)[0].resolve(m);
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const guard = setTimeout(kill, o.guardMs);
  const closed = new Promise<Ended>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    closed,
    kill,
    line: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void closed.then(() => {
          if (waiters.some((w) => w.re === re)) reject(new Error(`ended without a stderr line matching ${re}:\n${err}`));
        });
      }),
  };
}

/** Descendants of `pid` now (children, grandchildren, ...), from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command (which may hold spaces) start after its closing parenthesis: state, ppid, ...
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parentOf)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

/** True while `pid` runs (a zombie, exited but not yet reaped by its adoptive parent, does not count). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
