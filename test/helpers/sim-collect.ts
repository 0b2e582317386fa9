import type { Collector } from '../../lib/collector/collector';
import type { RunningSimulator } from '../../lib/simulator';

/**
 * Collects the simulator's whole run: starts the collector `makeCollector` builds, waits for the simulated end,
 * lets it write what it holds and stops it; the simulator is stopped in any case. Returns the stopped collector.
 */
export async function collectSimulatedRun(sim: RunningSimulator, makeCollector: () => Collector): Promise<Collector> {
  try {
    const collector = makeCollector();
    await collectUntilEnd(sim, collector);
    return collector;
  } finally {
    await sim.stop();
  }
}

/** Starts `collector`, waits for the simulated end, lets it write what it holds and stops it. */
export async function collectUntilEnd(sim: RunningSimulator, collector: Collector): Promise<void> {
  await collector.start();
  await sim.untilEnd();
  await collector.settled();
  await collector.stop();
}
