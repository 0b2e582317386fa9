import path from 'node:path';
import { Heartbeat } from '../collector/heartbeat';
import { runService } from '../collector/run-service';
import { CollectorService, type SourceSnapshot, type StopResult } from '../collector/service';
import type { CollectorSnapshot } from '../collector/stats';
import type { UploaderStats } from '../collector/bronze-uploader';
import type { StopRequests } from '../collector/stop-request';
import { DEFAULT_SIM_START, FaultPlan, randomStorm, startSimulator, type FaultCounts, type RunningSimulator } from '../simulator';
import type { ObjectStore } from '../storage/object-store';
import { EXIT, UserError } from '../util/errors';
import { logger } from '../util/log';
import type { Progress } from '../util/progress';
import { auditTrades, type TradeAudit } from './trade-audit';
import { sourceProfile, type SourceId } from '../exchanges/registry';

/**
 * `lakehouse collect`: the collector service (the one the Fargate container runs) for one source, with its disk
 * spool and its heartbeat file, until --duration ends, the simulation ends, or a stop request (signal, parent
 * gone); then the bounded flush, one line on stderr saying why it stopped and what it wrote, and an exit code
 * that is 0 only when every row reached the lake. With `--source sim` a simulator runs in-process and the
 * collector uses the simulator's clock. See docs/collector.md.
 */

export interface CollectOptions {
  source: SourceId;
  symbols: string[];
  store: ObjectStore;
  /** Where the lake is, as the user gave it (for messages). */
  lake: string;
  paths: CollectPaths;
  durationSec?: number;
  endpoint?: string;
  restEndpoint?: string;
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
  /** Signals, the parent process, crashes; duration and simulation end are requested through it too. */
  stop: StopRequests;
  /** Upper bound of the flush after a stop request. */
  stopDeadlineMs?: number;
}

/** Local files of a collect run: none of them inside an s3:// lake, and the spool never inside the lake. */
export interface CollectPaths {
  spoolDir: string;
  /** JSON health file; its Markdown twin sits beside it. */
  healthFile: string;
  /** Last event time per stream, so the next run ledgers the time it was away. */
  stateDir: string;
}

export interface CollectResult {
  collector: CollectorSnapshot;
  stop: StopResult & { reason: string };
  /** The spool's counters at the end. */
  spool?: UploaderStats;
  /** Faults the simulator injected (with --faults). */
  faults?: FaultCounts;
  /** Bronze against what the simulator sent (with --sim-hours). */
  audit?: TradeAudit[];
  /** One line for stderr: why it stopped and what it wrote. */
  summary: string;
  /** 0 all written; 4 the audit found unexplained missing trades; 5 rows not in the lake (spooled or lost). */
  exitCode: number;
}

const PROGRESS_EVERY_MS = 2000;
/** Ctrl-C should not leave a terminal waiting long; the spool keeps what the lake would not take. */
export const COLLECT_STOP_DEADLINE_MS = 30_000;
/** Files already safe in the spool folder are left for the next run after this long. */
const SPOOL_DRAIN_ON_STOP_MS = 5_000;
export const EXIT_AUDIT_FAILED = EXIT.AUDIT_FAILED;
export const EXIT_ROWS_NOT_WRITTEN = EXIT.ROWS_NOT_WRITTEN;

/**
 * The spool sits beside a local lake (`./lake` → `./lake.spool`) so an unwritable lake does not take it down too;
 * the health and state files go in the lake's `_collector/` folder. An s3:// lake has no local folder, so it
 * needs `--spool`, and those files go in the spool folder's `_collector/` (the spool ignores other names).
 */
export function collectPaths(lake: string, spool?: string): CollectPaths {
  let spoolDir: string;
  let metaDir: string;
  if (lake.startsWith('s3://')) {
    if (!spool)
      throw new UserError('collect into an s3:// lake needs --spool DIR: a local folder where Bronze waits while S3 fails');
    spoolDir = path.resolve(spool);
    metaDir = path.join(spoolDir, '_collector');
  } else {
    const lakeDir = path.resolve(lake);
    spoolDir = spool ? path.resolve(spool) : `${lakeDir}.spool`;
    if (isInside(spoolDir, lakeDir))
      throw new UserError(`--spool ${spool} is inside the lake; put it beside it (e.g. ${lakeDir}.spool)`);
    metaDir = path.join(lakeDir, '_collector');
  }
  return { spoolDir, healthFile: path.join(metaDir, 'health.json'), stateDir: metaDir };
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export async function runCollect(options: CollectOptions): Promise<CollectResult> {
  const profile = sourceProfile(options.source);
  const log = logger('collect');
  let sim: RunningSimulator | undefined;
  const simStart = options.simStart ?? DEFAULT_SIM_START;
  const simEnd = options.simHours ? simStart + options.simHours * 3_600_000 : undefined;
  const stormEnd = simEnd ?? simStart + 86_400_000;
  // About ten faults even in a short run, so every kind shows up; at most one every 40 simulated minutes on average.
  const plan =
    options.faultSeed !== undefined
      ? new FaultPlan(
          randomStorm({
            seed: options.faultSeed,
            start: simStart,
            end: stormEnd,
            meanGapMs: Math.min(40 * 60_000, (stormEnd - simStart) / 10),
          }),
        )
      : undefined;
  if (options.source === 'sim') {
    sim = await startSimulator({
      symbols: options.symbols,
      speed: simEnd ? 'max' : (options.simSpeed ?? 60),
      start: simStart,
      end: simEnd,
      faults: plan,
    });
  }
  const stopDeadlineMs = options.stopDeadlineMs ?? COLLECT_STOP_DEADLINE_MS;
  let service: CollectorService;
  try {
    service = new CollectorService(
      {
        sources: [
          {
            source: options.source,
            symbols: options.symbols,
            endpoint: options.endpoint ?? sim?.wsBaseUrl,
            restEndpoint: options.restEndpoint ?? sim?.restBaseUrl,
          },
        ],
        spoolDir: options.paths.spoolDir,
        stateDir: sim ? false : options.paths.stateDir,
        stopDeadlineMs,
        spoolDrainOnStopMs: SPOOL_DRAIN_ON_STOP_MS,
        now: sim ? () => sim.clock.now() : undefined,
      },
      options.store,
      log,
    );
  } catch (err) {
    await sim?.stop();
    throw err;
  }
  // The terminal gets progress and the one-line summary; CloudWatch's EMF lines would only clutter it.
  const heartbeat = new Heartbeat({
    file: options.paths.healthFile,
    snapshot: () => service.snapshot(),
    spool: () => service.spoolStats(),
    sink: () => undefined,
  });
  const ticker = setInterval(() => options.progress?.(progressLine(options.source, service.snapshot()[0])), PROGRESS_EVERY_MS);
  const timers: NodeJS.Timeout[] = [];
  const { durationSec } = options;
  if (durationSec) {
    timers.push(
      setTimeout(() => options.stop.request({ reason: `--duration ${durationSec} s`, exitCode: 0 }), durationSec * 1000),
    );
  }
  if (sim && simEnd) {
    void sim
      .untilEnd()
      .then(() => service.settled(500))
      .then(() => options.stop.request({ reason: 'simulated hours ended', exitCode: 0 }));
  }
  try {
    void options.stop.requested.then((request) => {
      clearInterval(ticker);
      const buffered = service.snapshot().reduce((n, s) => n + s.collector.bufferedRows, 0);
      const rows = buffered.toLocaleString('en-US');
      options.progress?.(
        `collect: stopping (${request.reason}): writing ${rows} buffered rows (at most ${stopDeadlineMs / 1000} s)`,
      );
    });
    const run = await runService({ service, heartbeat, stop: options.stop, log });
    const snap = service.snapshot()[0];
    const result: CollectResult = {
      collector: snap.collector,
      stop: { reason: run.request.reason, ...run.result },
      spool: service.spoolStats(),
      faults: plan ? { ...plan.counts } : undefined,
      summary: '',
      exitCode: run.result.complete ? run.request.exitCode : EXIT_ROWS_NOT_WRITTEN,
    };
    if (sim && simEnd && run.result.complete) {
      options.progress?.('collect: auditing Bronze against every trade the simulator sent');
      result.audit = await auditTrades(
        options.store,
        profile.exchange,
        options.symbols,
        simStart,
        Math.min(simEnd, sim.stats().simTime),
        sim.model,
      );
      if (result.exitCode === 0 && result.audit.some((a) => a.unexplained > 0)) result.exitCode = EXIT_AUDIT_FAILED;
    }
    result.summary = collectSummary(result, snap, options.lake, options.paths.spoolDir);
    return result;
  } finally {
    clearInterval(ticker);
    for (const timer of timers) clearTimeout(timer);
    await sim?.stop();
  }
}

function progressLine(source: SourceId, snapshot: SourceSnapshot): string {
  const counts = snapshot.collector;
  const withCommas = (x: number) => x.toLocaleString('en-US');
  const conn = snapshot.connections;
  const waiting =
    conn && conn.open < conn.total
      ? `, ${conn.open}/${conn.total} connections open${conn.lastError ? ` (last error: ${conn.lastError})` : ''}`
      : '';
  return (
    `collect ${source}: ${withCommas(counts.messages)} messages, ${counts.filesWritten} ` +
    `files, ${withCommas(counts.bufferedRows)} rows buffered${waiting}` +
    (counts.lastEventMs ? `, event time ${new Date(counts.lastEventMs).toISOString()}` : '')
  );
}

/** "collect: stopped by SIGTERM: 13,617 rows in 42 files written to ./lake" and what went wrong, on one line. */
function collectSummary(
  result: Omit<CollectResult, 'summary'>,
  snapshot: SourceSnapshot,
  lake: string,
  spoolDir: string,
): string {
  const withCommas = (x: number) => x.toLocaleString('en-US');
  const st = result.stop;
  const why = st.reason.startsWith('SIG')
    ? `by ${st.reason}`
    : st.reason.startsWith('--')
      ? `at ${st.reason}`
      : st.reason === 'crash'
        ? 'after a crash'
        : `because the ${st.reason}`;
  const parts: string[] = [];
  const received = st.writtenRows + st.spooledRows + st.lostRows;
  if (result.collector.messages === 0) {
    const conn = snapshot.connections;
    const cause = conn?.lastError ? `: ${conn.lastError}` : '';
    parts.push(`nothing received${conn && !conn.everOpened ? ` (never connected${cause})` : ' (connected; nothing came)'}`);
  } else if (st.writtenRows === received) {
    parts.push(`${withCommas(received)} rows in ${result.collector.filesWritten} files written to ${lake}`);
  } else {
    parts.push(`${withCommas(st.writtenRows)} of ${withCommas(received)} rows written to ${lake}`);
  }
  if (st.spooledFiles > 0) {
    const rows = st.spooledRows > 0 ? `${withCommas(st.spooledRows)} rows in ` : '';
    parts.push(`${rows}${st.spooledFiles} files wait in the spool ${spoolDir} (the next collect with this spool uploads them)`);
  }
  if (result.spool?.reuploaded) parts.push(`${result.spool.reuploaded} spooled files uploaded`);
  if (st.lostRows > 0) parts.push(`${withCommas(st.lostRows)} rows LOST (neither the lake nor the spool took them)`);
  if (st.timedOut) parts.push(`the flush ran out of time`);
  if (result.audit) {
    const sum = (k: 'expected' | 'unexplained') => result.audit!.reduce((t, a) => t + a[k], 0);
    parts.push(
      `audit: ${withCommas(sum('expected'))} trades expected, ${withCommas(sum('unexplained'))} missing without a ledgered gap`,
    );
  }
  return `collect: stopped ${why}: ${parts.join('; ')}`;
}
