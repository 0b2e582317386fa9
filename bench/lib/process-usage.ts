import type { Probe } from './types';

/** What bench tasks read of their own process: CPU seconds, a full garbage collection, a timed flush. */

/** CPU time (user + system, all threads) of this process so far, in seconds. */
export const cpuNow = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/** Two full collections when the process runs with --expose-gc; nothing otherwise. */
export const fullGc = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
};

/** `flush()` as the probe's timed block, with its wall and CPU seconds and the peak RSS (bytes) before and after it. */
export async function timedFlush(
  probe: Probe,
  collector: { flush(): Promise<unknown> },
): Promise<{ seconds: number; cpu: number; maxRssBeforeFlush: number; maxRssAfterFlush: number }> {
  const maxRssBeforeFlush = process.resourceUsage().maxRSS * 1024;
  const flushed = await probe.time(async () => {
    const wallStart = performance.now();
    const cpuStart = cpuNow();
    await collector.flush();
    return { seconds: (performance.now() - wallStart) / 1000, cpu: cpuNow() - cpuStart };
  });
  return { ...flushed, maxRssBeforeFlush, maxRssAfterFlush: process.resourceUsage().maxRSS * 1024 };
}
