import { Collector } from '../collector/collector';
import type { CollectorSnapshot } from '../collector/stats';
import { startSimulator, type RunningSimulator } from '../simulator';
import type { ObjectStore } from '../storage/object-store';
import type { Progress } from '../util/progress';
import { sourceCollectorOptions, sourceProfile, type SourceId } from './sources';

/**
 * `lakehouse collect`: one collector for one source until the duration ends or the process is asked to stop
 * (SIGINT/SIGTERM), then a final flush. With `--source sim` a simulator runs in-process and the collector
 * uses the simulator's clock.
 */

export interface CollectOptions {
  source: SourceId;
  symbols: string[];
  store: ObjectStore;
  durationSec?: number;
  endpoint?: string;
  /** Simulator speed (simulated seconds per second, or 'max') for --source sim. */
  simSpeed?: number | 'max';
  progress?: Progress;
  /** Resolves when the caller wants the collector stopped (e.g. on SIGTERM). */
  stopSignal: Promise<void>;
}

const PROGRESS_EVERY_MS = 2000;

export async function runCollect(o: CollectOptions): Promise<CollectorSnapshot> {
  const profile = sourceProfile(o.source);
  let sim: RunningSimulator | undefined;
  if (o.source === 'sim') sim = await startSimulator({ symbols: o.symbols, speed: o.simSpeed ?? 60 });
  const wsBase = o.endpoint ?? sim?.wsBaseUrl ?? profile.ws;
  const collector = new Collector({
    ...sourceCollectorOptions(profile, o.symbols, wsBase, sim?.restBaseUrl ?? profile.rest), store: o.store,
    now: sim ? () => sim!.clock.now() : undefined, receiveTimeFromEvents: !!sim,
  });
  const ticker = setInterval(() => {
    const s = collector.snapshot();
    o.progress?.(`collect ${o.source}: ${s.messages.toLocaleString('en-US')} messages, ${s.filesWritten} files, ${s.bufferedRows.toLocaleString('en-US')} rows buffered` +
      (s.lastEventMs ? `, event time ${new Date(s.lastEventMs).toISOString()}` : ''));
  }, PROGRESS_EVERY_MS);
  try {
    await collector.start();
    const waits: Promise<void>[] = [o.stopSignal];
    if (o.durationSec) waits.push(new Promise((r) => setTimeout(r, o.durationSec! * 1000)));
    await Promise.race(waits);
    await collector.stop();
    return collector.snapshot();
  } finally {
    clearInterval(ticker);
    await sim?.stop();
  }
}
