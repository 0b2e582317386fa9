import { Collector } from '../collector/collector';
import type { CollectorSnapshot } from '../collector/stats';
import { DEFAULT_SIM_START, FaultPlan, randomStorm, startSimulator, type FaultCounts, type RunningSimulator } from '../simulator';
import { auditTrades, type TradeAudit } from './trade-audit';
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
  /**
   * --source sim only: run this many simulated hours as fast as the collector reads (from `simStart`), then
   * stop and audit Bronze against every trade the simulator sent.
   */
  simHours?: number;
  simStart?: number;
  /** --source sim only: a reproducible storm of faults from this seed (drops, shutdowns, stalls, ...). */
  faultSeed?: number;
  progress?: Progress;
  /** Resolves when the caller wants the collector stopped (e.g. on SIGTERM). */
  stopSignal: Promise<void>;
}

const PROGRESS_EVERY_MS = 2000;

export interface CollectResult {
  collector: CollectorSnapshot;
  /** Faults the simulator injected (with --faults). */
  faults?: FaultCounts;
  /** Bronze against what the simulator sent (with --sim-hours). */
  audit?: TradeAudit[];
}

export async function runCollect(o: CollectOptions): Promise<CollectResult> {
  const profile = sourceProfile(o.source);
  let sim: RunningSimulator | undefined;
  const simStart = o.simStart ?? DEFAULT_SIM_START;
  const simEnd = o.simHours ? simStart + o.simHours * 3_600_000 : undefined;
  const stormEnd = simEnd ?? simStart + 86_400_000;
  // About ten faults even in a short run, so every kind shows up; at most one every 40 simulated minutes on average.
  const plan = o.faultSeed !== undefined
    ? new FaultPlan(randomStorm({ seed: o.faultSeed, start: simStart, end: stormEnd, meanGapMs: Math.min(40 * 60_000, (stormEnd - simStart) / 10) }))
    : undefined;
  if (o.source === 'sim') {
    sim = await startSimulator({ symbols: o.symbols, speed: simEnd ? 'max' : (o.simSpeed ?? 60), start: simStart, end: simEnd, faults: plan });
  }
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
    if (sim && simEnd) waits.push(sim.untilEnd().then(() => collector.settled(500)));
    await Promise.race(waits);
    await collector.stop();
    const result: CollectResult = { collector: collector.snapshot(), faults: plan ? { ...plan.counts } : undefined };
    if (sim && simEnd) {
      o.progress?.('collect: auditing Bronze against every trade the simulator sent');
      result.audit = await auditTrades(o.store, profile.exchange, o.symbols, simStart, Math.min(simEnd, sim.stats().simTime), sim.model);
    }
    return result;
  } finally {
    clearInterval(ticker);
    await sim?.stop();
  }
}
