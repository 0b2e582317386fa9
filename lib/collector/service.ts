import path from 'node:path';
import { sourceCollectorOptions, sourceProfile, type SourceId, type SourceProfile } from '../exchanges/registry';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import { logger, type Logger } from '../util/log';
import { uploadBronze } from '../bronze/bronze-writer';
import { EventClock, WallClock } from './clock';
import { Collector } from './collector';
import { BronzeUploader, type UploaderStats } from './bronze-uploader';
import type { CollectorSnapshot } from './stats';

/**
 * The long-running collector service, behind both entry points: the Fargate container (collector-fargate/main.ts)
 * and `lakehouse collect`. One Collector per configured source, all writing Bronze to one object store through
 * an optional disk spool. The caller owns process signals (see stop-request.ts and run-service.ts); `stop()`
 * closes every socket and flushes every buffer within a deadline chosen well under the container's stop timeout
 * (ECS allows at most 120 s before SIGKILL). See docs/collector.md.
 */

export interface SourceConfig {
  source: SourceId;
  symbols: string[];
  /** WebSocket base URL replacing the source's default (tests, proxies, the simulator). */
  endpoint?: string;
  /**
   * REST base URL replacing the source's default (open-interest polls). Without it, a source given an
   * `endpoint` polls that endpoint's host (see restBaseFor), never the real exchange.
   */
  restEndpoint?: string;
}

export interface CollectorServiceConfig {
  sources: SourceConfig[];
  /** Event-time flush period (default: the collector's 5 minutes). */
  flushIntervalMs?: number;
  /** Reconnect a stream that sends nothing for this long (default 60 s; Binance books tick every 100 ms). */
  silentTimeoutMs?: number;
  /** Upper bound of `stop()` (default 60 s). */
  stopDeadlineMs?: number;
  /**
   * Local folder where Bronze files wait while the object store is unreachable; pending files from an earlier
   * run are uploaded first on start. Without it, failed writes stay in memory and are retried.
   */
  spoolDir?: string;
  /**
   * How long `stop()` keeps re-uploading spooled files before leaving them on disk for the next start (default:
   * the rest of the stop deadline). A container's disk goes with its task, a workstation's stays.
   */
  spoolDrainOnStopMs?: number;
  /**
   * Folder of each exchange's last event times, kept across restarts so the next start ledgers the time it was
   * away (default: beside the spool; none without one). `false`: none (a simulator's clock restarts each run).
   */
  stateDir?: string | false;
  /**
   * Wall time (default Date.now), or an in-process simulator's clock for `collect --source sim`: a 'sim'
   * source runs on event time (EventClock), which this answers until the first event.
   */
  now?: () => number;
}

export interface SourceSnapshot {
  source: SourceId;
  exchange: ExchangeId;
  symbols: string[];
  collector: CollectorSnapshot;
  /** Rows whose Bronze write failed and waits for a retry. */
  unwrittenRows: number;
  /** WebSocket connections open now, of all, whether any ever opened, and why the latest attempt failed. */
  connections?: { open: number; total: number; everOpened: boolean; lastError?: string };
}

export interface StopResult {
  /** True when every buffered row reached the store before the deadline. */
  complete: boolean;
  /** Rows known not to have reached the store (failed writes still queued). */
  unwrittenRows: number;
  /** Files still in the local spool (uploaded on the next start from the same folder). */
  spooledFiles: number;
  timedOut: boolean;
  /** Rows of this run that reached the store (directly, or re-uploaded from the spool). */
  writtenRows: number;
  /** Rows of this run in files still in the spool folder: safe on disk, uploaded by the next start. */
  spooledRows: number;
  /** Rows of this run that reached neither the store nor the disk: gone when the process exits. */
  lostRows: number;
}

export const DEFAULT_SILENT_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_DEADLINE_MS = 60_000;
/** First pause before retrying failed writes during stop; doubles each round. */
const STOP_RETRY_INITIAL_MS = 500;

interface Running {
  config: SourceConfig;
  exchange: ExchangeId;
  collector: Collector;
}

export class CollectorService {
  private readonly running: Running[];
  private readonly log: Logger;
  private readonly stopDeadlineMs: number;
  private started = false;
  private stopping?: Promise<StopResult>;
  /** The upload of an earlier run's spool, while start() does it. */
  private recovering?: Promise<number>;
  private readonly uploader?: BronzeUploader;
  private readonly spoolDrainOnStopMs?: number;
  /** Rows of each file of this run that went to the spool instead of the store, by key. */
  private readonly spooledRowsByKey = new Map<string, number>();

  /** Throws UserError for a configuration no collector can run (unsupported source, duplicate exchange, no symbols). */
  constructor(config: CollectorServiceConfig, store: ObjectStore, log: Logger = logger('collector-service')) {
    this.log = log;
    this.stopDeadlineMs = config.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
    this.spoolDrainOnStopMs = config.spoolDrainOnStopMs;
    if (config.sources.length === 0) throw new UserError('no source configured');
    const uploader = config.spoolDir
      ? new BronzeUploader({ store, spoolDir: config.spoolDir, log: log.child({ component: 'spool' }) })
      : undefined;
    this.uploader = uploader;
    const stateDir = config.stateDir ?? (config.spoolDir ? path.dirname(config.spoolDir) : false);
    const byExchange = new Map<ExchangeId, SourceId>();
    this.running = config.sources.map((src) => {
      if (src.symbols.length === 0) throw new UserError(`source '${src.source}' has no symbols`);
      // The CLI starts a simulator in-process for 'sim'; a service has none, and the default URL is Binance's.
      if (src.source === 'sim' && !src.endpoint) throw new UserError("source 'sim' needs an endpoint: the simulator's ws:// URL");
      const profile = sourceProfile(src.source);
      // Metrics and the heartbeat are keyed by exchange, and two collectors of one exchange would double its rows.
      const clash = byExchange.get(profile.exchange);
      if (clash)
        throw new UserError(`sources '${clash}' and '${src.source}' both file rows under exchange '${profile.exchange}'`);
      byExchange.set(profile.exchange, src.source);
      const collector = new Collector({
        ...sourceCollectorOptions(profile, src.symbols, src.endpoint ?? profile.ws, restBaseFor(src, profile)),
        store,
        flushIntervalMs: config.flushIntervalMs,
        silentTimeoutMs: config.silentTimeoutMs ?? profile.silentTimeoutMs ?? DEFAULT_SILENT_TIMEOUT_MS,
        write: uploader ? (parts) => this.upload(uploader, parts) : undefined,
        stateFile: stateDir ? path.join(stateDir, `collector-state-${profile.exchange}.json`) : undefined,
        // The simulator's clock runs ahead of what we have read; see CollectorOptions.clock.
        clock: src.source === 'sim' ? new EventClock({ now: config.now ?? Date.now }) : new WallClock(config.now),
        log: this.log.child({ source: src.source }),
      });
      return { config: src, exchange: profile.exchange, collector };
    });
  }

  /**
   * Connects every source; resolves once each has an open connection (retrying with backoff until then) or once
   * stop() is called. Callers that must answer a stop request meanwhile do not wait for it (run-service.ts).
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('collector service already started');
    this.started = true;
    this.log.info(
      { sources: this.running.map((r) => ({ source: r.config.source, exchange: r.exchange, symbols: r.config.symbols })) },
      'starting collectors',
    );
    if (this.uploader) {
      // Files a previous run could not upload go first, so Bronze stays in order of arrival where it can.
      this.recovering = this.uploader.recoverPending();
      const pending = await this.recovering;
      if (pending > 0) this.log.info({ pending, left: this.uploader.stats().pendingFiles }, 'spooled files from an earlier run');
    }
    if (this.stopping) return;
    await Promise.all(this.running.map((r) => r.collector.start()));
  }

  /**
   * Closes every socket and flushes every buffer, retrying failed writes with backoff until the deadline.
   * Idempotent: a second call returns the first call's result.
   */
  stop(deadlineMs = this.stopDeadlineMs): Promise<StopResult> {
    this.stopping ??= this.stopWithin(deadlineMs);
    return this.stopping;
  }

  private async stopWithin(deadlineMs: number): Promise<StopResult> {
    const until = Date.now() + deadlineMs;
    const left = () => until - Date.now();
    // A stop right after start must not race the upload of the earlier run's spool for the uploader.
    if (this.recovering) await withinDeadline(this.recovering, left());
    let timedOut = !(await withinDeadline(Promise.all(this.running.map((r) => r.collector.stop())), left()));
    for (let pause = STOP_RETRY_INITIAL_MS; !timedOut && this.unwrittenRows() > 0; pause *= 2) {
      if (left() <= pause) {
        timedOut = true;
        break;
      }
      this.log.warn({ unwrittenRows: this.unwrittenRows(), retryInMs: pause }, 'bronze writes failed during stop; retrying');
      await sleep(pause);
      timedOut = !(await withinDeadline(Promise.all(this.running.map((r) => r.collector.flush())), left()));
    }
    let spooledFiles = 0;
    let spooledRows = 0;
    let lostRows = this.running.reduce((n, r) => n + r.collector.pendingRows, 0);
    // Every file handed to the uploader counts as written by the collector; the ones still pending did not arrive.
    let writtenRows = this.running.reduce((n, r) => n + r.collector.snapshot().rowsWritten, 0);
    if (this.uploader) {
      const drainMs = Math.min(Math.max(0, left()), this.spoolDrainOnStopMs ?? Infinity);
      const flushed = await this.uploader.flushPending(drainMs);
      spooledFiles = flushed.pendingFiles;
      await this.uploader.close();
      for (const pending of this.uploader.pendingObjects()) {
        const rows = this.spooledRowsByKey.get(pending.key) ?? 0; // 0: a file from an earlier run
        writtenRows -= rows;
        if (pending.onDisk) spooledRows += rows;
        else lostRows += rows;
      }
    }
    const unwrittenRows = this.unwrittenRows();
    const complete = !timedOut && unwrittenRows === 0 && spooledFiles === 0;
    const result: StopResult = { complete, unwrittenRows, spooledFiles, timedOut, writtenRows, spooledRows, lostRows };
    if (result.complete) this.log.info({ elapsedMs: deadlineMs - left() }, 'collectors stopped, everything flushed');
    else this.log.error(result, 'collectors stopped with rows not written');
    return result;
  }

  /** Writes every buffer now (after any flush under way); failed writes are spooled or kept for the next flush. */
  async flush(): Promise<void> {
    await Promise.all(this.running.map((r) => r.collector.flush()));
  }

  /** Resolves once every collector has read everything sent so far (see Collector.settled). */
  async settled(pollMs?: number): Promise<void> {
    await Promise.all(this.running.map((r) => r.collector.settled(pollMs)));
  }

  /**
   * Resolves once the collectors have read `count` messages together: a simulator without faults knows how many
   * it sent, so this is the exact moment everything has been read.
   */
  received(count: number): Promise<void> {
    return new Promise((resolve) => {
      const offs: (() => void)[] = [];
      const check = () => {
        if (this.messages() < count) return false;
        for (const off of offs) off();
        resolve();
        return true;
      };
      if (!check()) for (const { collector } of this.running) offs.push(collector.onMessages(check));
    });
  }

  /** The spool's counters, when spooling is on. */
  spoolStats(): UploaderStats | undefined {
    return this.uploader?.stats();
  }

  snapshot(): SourceSnapshot[] {
    return this.running.map((r) => ({
      source: r.config.source,
      exchange: r.exchange,
      symbols: [...r.config.symbols],
      collector: r.collector.snapshot(),
      unwrittenRows: r.collector.unwrittenRows,
      connections: r.collector.connectionState(),
    }));
  }

  private messages(): number {
    return this.running.reduce((n, r) => n + r.collector.stats.messageCount, 0);
  }

  private unwrittenRows(): number {
    return this.running.reduce((n, r) => n + r.collector.unwrittenRows, 0);
  }

  private async upload(uploader: BronzeUploader, parts: Parameters<typeof uploadBronze>[1]) {
    const files = await uploadBronze(uploader, parts);
    for (const file of files) if (file.spooled) this.spooledRowsByKey.set(file.key, file.rows);
    return files;
  }
}

/**
 * The REST base a source polls: its own override, else the host of its WebSocket override (`ws://h:p/...` →
 * `http://h:p`, `wss://` → `https://`), else the exchange's. A run pointed at a simulator, a proxy or a replay
 * therefore never reaches the real exchange by accident.
 */
export function restBaseFor(src: Pick<SourceConfig, 'endpoint' | 'restEndpoint'>, profile: Pick<SourceProfile, 'rest'>): string {
  if (src.restEndpoint) return src.restEndpoint.replace(/\/+$/, '');
  if (!src.endpoint) return profile.rest;
  const url = new URL(src.endpoint);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

/** True if `p` settled within `ms`; a rejection counts as settled (the collectors log their own failures). */
async function withinDeadline(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
