import { pathToFileURL } from 'node:url';
import type { ChildFigures, ChildOutcome, Json, Probe, TaskFn } from './types';

/**
 * Entry of a bench child process (started by lib/child.ts): loads one module, runs one exported task with a
 * probe, and sends its figures back over IPC. Failures of the task are results ("library X cannot read its own
 * file"), not crashes of the bench.
 */

const MB = 1e6;
const rssMB = () => process.memoryUsage.rss() / MB;
// maxRSS is in kilobytes (KiB on Linux).
const peakRssMB = () => (process.resourceUsage().maxRSS * 1024) / MB;

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_TASK ?? 'null') as { module: string; fn: string; args: Json } | null;
  if (!spec) throw new Error('BENCH_TASK is not set: child-main.ts is started by bench/lib/child.ts');

  let readyRssMB: number | undefined;
  let seconds: number | undefined;
  let cpuSeconds: number | undefined;
  let heap: Pick<ChildFigures, 'heapUsedMB' | 'arrayBuffersMB'> | undefined;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuSince = (from: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(from);
    return (u.user + u.system) / 1e6;
  };
  const probe: Probe = {
    ready: () => {
      readyRssMB = rssMB();
    },
    time: async (fn) => {
      if (seconds !== undefined) throw new Error('probe.time() called twice');
      readyRssMB ??= rssMB();
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const value = await fn();
      seconds = (performance.now() - start) / 1000;
      cpuSeconds = cpuSince(cpuStart);
      const m = process.memoryUsage();
      heap = { heapUsedMB: m.heapUsed / MB, arrayBuffersMB: m.arrayBuffers / MB };
      return value;
    },
    log: (message) => process.stderr.write(`    ${message}\n`),
  };
  const figures = (): Omit<ChildFigures, 'seconds' | 'cpuSeconds'> & { seconds?: number; cpuSeconds?: number } => {
    const m = process.memoryUsage();
    return {
      seconds,
      cpuSeconds,
      readyRssMB: readyRssMB ?? rssMB(),
      peakRssMB: peakRssMB(),
      heapUsedMB: heap?.heapUsedMB ?? m.heapUsed / MB,
      arrayBuffersMB: heap?.arrayBuffersMB ?? m.arrayBuffers / MB,
    };
  };

  let outcome: ChildOutcome;
  try {
    const mod = (await import(pathToFileURL(spec.module).href)) as Record<string, unknown>;
    const fn = mod[spec.fn] ?? (mod.default as Record<string, unknown> | undefined)?.[spec.fn];
    if (typeof fn !== 'function') throw new Error(`${spec.module} exports no function ${spec.fn}`);
    const result = await (fn as TaskFn)(spec.args, probe);
    const f = figures();
    outcome = {
      ok: true,
      result,
      ...f,
      seconds: f.seconds ?? (performance.now() - t0) / 1000,
      cpuSeconds: f.cpuSeconds ?? cpuSince(cpu0),
    };
  } catch (err) {
    outcome = { ok: false, error: describe(err), ...figures() };
  }
  await new Promise<void>((resolve) => process.send!(outcome, () => resolve()));
  // Some libraries leave handles open (DuckDB's threads, file streams); the result is sent, so leave now.
  process.exit(0);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] || err.name;
  return String(err);
}

// A library that rejects a promise nobody awaits would otherwise kill the child with no result at all.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    const outcome: ChildOutcome = { ok: false, error: `${event}: ${describe(err)}` };
    process.send!(outcome, () => process.exit(1));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench child failed: ${String(err)}\n`);
  process.exit(1);
});
