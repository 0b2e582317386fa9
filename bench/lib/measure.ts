import { runChild } from './child';
import { median } from './stats';
import type { ChildFigures, ChildTask, Json, Measured } from './types';

/**
 * Runs a task `runs` times, each in a fresh process, one after the other (never in parallel: two cases sharing
 * two cores would measure each other), and keeps medians. The first failure ends the case: a library that
 * cannot do something once will not do it on the second try, and some failures take minutes.
 */
export async function measureRuns<T extends Json = Json>(
  task: ChildTask,
  runs: number,
  cwd: string,
  log: (m: string) => void,
  label: string,
): Promise<Measured<T>> {
  const figures: ChildFigures[] = [];
  let result: T | undefined;
  for (let i = 1; i <= runs; i++) {
    const o = await runChild<T>(task, cwd);
    if (!o.ok) {
      log(`${label}: run ${i}/${runs} FAILED: ${o.error}`);
      return {
        ok: false,
        runs: i,
        error: o.error,
        allSeconds: figures.map((f) => f.seconds),
        seconds: o.seconds ?? NaN,
        cpuSeconds: o.cpuSeconds ?? NaN,
        readyRssMB: o.readyRssMB ?? NaN,
        peakRssMB: o.peakRssMB ?? NaN,
        heapUsedMB: o.heapUsedMB ?? NaN,
        arrayBuffersMB: o.arrayBuffersMB ?? NaN,
      };
    }
    figures.push(o);
    result = o.result;
    log(
      `${label}: run ${i}/${runs} ${o.seconds.toFixed(2)} s (CPU ${o.cpuSeconds.toFixed(2)} s), peak RSS ${o.peakRssMB.toFixed(0)} MB`,
    );
  }
  const med = (k: keyof ChildFigures) => median(figures.map((f) => f[k]));
  return {
    ok: true,
    runs,
    result,
    allSeconds: figures.map((f) => f.seconds),
    seconds: med('seconds'),
    cpuSeconds: med('cpuSeconds'),
    readyRssMB: med('readyRssMB'),
    peakRssMB: med('peakRssMB'),
    heapUsedMB: med('heapUsedMB'),
    arrayBuffersMB: med('arrayBuffersMB'),
  };
}
