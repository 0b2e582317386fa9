import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file';
import { stdoutSink, type EmfSink } from '../monitoring/emf';
import { logger, type Logger } from '../util/log';
import type { UploaderStats } from './bronze-uploader';
import { beatCounts, beatMetricLine, NO_COUNTS, type BeatCounts } from './heartbeat-metrics';
import { heartbeatMarkdown, heartbeatReport, type HeartbeatReport } from './heartbeat-report';
import type { SourceSnapshot } from './service';

/**
 * The collector's heartbeat (docs/collector.md, "Heartbeat"): on a timer, every beat writes the report
 * (heartbeat-report.ts) as a JSON health file, read by the container health check, with a Markdown twin for
 * humans, and emits one CloudWatch EMF line per exchange (heartbeat-metrics.ts).
 */

export type { HeartbeatReport } from './heartbeat-report';

export interface HeartbeatOptions {
  /** JSON health file; the Markdown twin is written beside it with the extension `.md`. */
  file: string;
  snapshot(): SourceSnapshot[];
  /** The Bronze spool's counters, when the service spools. */
  spool?(): UploaderStats | undefined;
  /** Default 15 s. */
  intervalMs?: number;
  now?: () => number;
  sink?: EmfSink;
  log?: Logger;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;

export class Heartbeat {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly sink: EmfSink;
  private readonly log: Logger;
  private readonly startedAtMs: number;
  /** Counter values at the previous beat, per exchange. */
  private readonly previous = new Map<string, BeatCounts>();
  private previousMs: number;
  private timer?: NodeJS.Timeout;
  /** Beats run one after another, so two writes never race on the same temporary file. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HeartbeatOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.sink = options.sink ?? stdoutSink;
    this.log = options.log ?? logger('heartbeat');
    this.startedAtMs = this.now();
    this.previousMs = this.startedAtMs;
  }

  /** Writes the first beat (so the health file exists from the start), then one every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((err: Error) => this.log.error({ err: err.message }, 'heartbeat failed'));
    }, this.intervalMs);
  }

  /** Stops the timer and writes a last beat, so the file and the metrics show the final flush. */
  async stop(): Promise<HeartbeatReport> {
    clearInterval(this.timer);
    return this.beat();
  }

  beat(): Promise<HeartbeatReport> {
    const next = this.queue.then(() => this.beatNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async beatNow(): Promise<HeartbeatReport> {
    const nowMs = this.now();
    const spool = this.options.spool?.();
    const report = heartbeatReport({
      spool,
      sources: this.options.snapshot(),
      previous: (exchange) => this.previous.get(exchange),
      nowMs,
      startedAtMs: this.startedAtMs,
      previousBeatMs: this.previousMs,
      intervalMs: this.intervalMs,
    });
    for (const [exchange, health] of Object.entries(report.exchanges)) {
      this.sink(beatMetricLine(exchange, health, this.previous.get(exchange) ?? NO_COUNTS, nowMs));
      this.previous.set(exchange, beatCounts(health));
    }
    this.previousMs = nowMs;
    await this.write(report);
    return report;
  }

  private async write(report: HeartbeatReport): Promise<void> {
    const json = this.options.file;
    const md = path.join(path.dirname(json), `${path.basename(json, path.extname(json))}.md`);
    try {
      await fs.mkdir(path.dirname(json), { recursive: true });
      // Atomic, so the health check never reads a half-written file.
      await Promise.all([
        writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`),
        writeFileAtomic(md, heartbeatMarkdown(report)),
      ]);
    } catch (err) {
      // A stale file then fails the health check, which is the right outcome if the disk stays unwritable.
      this.log.warn({ err: (err as Error).message, file: json }, 'heartbeat file not written');
    }
  }
}
