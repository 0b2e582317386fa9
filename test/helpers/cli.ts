import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BIN = path.resolve(__dirname, '../../bin/lakehouse.js');

/** Runs the real `lakehouse` command in a child process. */
export function lakehouse(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lakehouse ${args.join(' ')} timed out`));
    }, opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Runs a `lakehouse` command line in this process (bin/cli.ts's `runLakehouse`, what bin/lakehouse.js runs), with
 * what it writes to stdout and stderr captured: milliseconds instead of a process start per run. For commands
 * that end by themselves and do not depend on the process (no signals, no closed pipes: those need `lakehouse`).
 * JSON logs (pino writes them to file descriptor 2 with fs.writeSync) are captured as stderr too.
 */
export async function lakehouseInProcess(args: string[]): Promise<CliResult> {
  const { runLakehouse } = await import('../../bin/cli');
  const captured = { stdout: '', stderr: '' };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back on the same stream, never called detached
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (name: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, buffer: string | Uint8Array, ...rest: unknown[]) => {
    if (fd !== 1 && fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
    const text = typeof buffer === 'string' ? buffer : Buffer.from(buffer).toString();
    captured[fd === 1 ? 'stdout' : 'stderr'] += text;
    return Buffer.byteLength(text);
  }) as typeof fs.writeSync;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const code = await runLakehouse(args);
    return { code, ...captured };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    fs.writeSync = writeSync;
  }
}
