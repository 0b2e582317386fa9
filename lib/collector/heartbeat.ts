import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Dimension, Metric } from '../monitoring/metrics';
import { emfDocument, stdoutSink, type EmfSink, type MetricValue } from '../util/emf';
import { logger, type Logger } from '../util/log';
import type { SourceSnapshot } from './service';
import type { UploaderStats } from './bronze-uploader';

/**
 * The collector's heartbeat (SPEC §4, C7): every beat writes a JSON health file (read by the container health
 * check) with a Markdown twin for humans, and emits one CloudWatch EMF line per exchange. Counters are sent as
 * deltas since the previous beat, so CloudWatch sums them per period and a task restart does not make them
 * jump; levels (buffered rows, ages, latency) are sent as they are.
 */

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

export interface StreamHealth {
  records: number;
  messagesPerMinute: number;
  lastEventAgeSeconds: number;
}

export interface ExchangeHealth {
  source: string;
  symbols: string[];
  messages: number;
  messagesPerMinute: number;
  /** Newest exchange event time seen, or null before the first. */
  lastEventTime: string | null;
  /** Since the newest event, or since the heartbeat started when there was none yet (so a dead feed ages). */
  lastEventAgeSeconds: number;
  reconnects: number;
  gaps: number;
  /** Times a stream with a cadence went silent while its connection delivered (each triggers a reconnect). */
  silentStreams: number;
  /** Receive − exchange event time, smoothed; negative when the local clock lags the exchange. */
  clockSkewMs: number | null;
  parseErrorCount: number;
  parseErrors: Record<string, { count: number; samples: string[] }>;
  bufferedRows: number;
  unwrittenRows: number;
  lastFlushLatencyMs: number;
  flushFailures: number;
  filesWritten: number;
  rowsWritten: number;
  bytesWritten: number;
  streams: Record<string, StreamHealth>;
}

export interface HeartbeatReport {
  time: string;
  /** Epoch ms of the beat: what the health check compares with its clock. */
  timeMs: number;
  startedAt: string;
  uptimeSeconds: number;
  intervalSeconds: number;
  exchanges: Record<string, ExchangeHealth>;
  /** Bronze files waiting on local disk (or in memory) for the object store; absent without a spool. */
  spool?: { pendingFiles: number; pendingBytes: number; inMemoryFiles: number; oldestPendingSeconds: number; spooled: number; reuploaded: number; lastError: string | null };
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;

/** Counter values at the previous beat, per exchange. */
interface Previous {
  messages: number;
  filesWritten: number;
  rowsWritten: number;
  parseErrors: number;
  reconnects: number;
  flushFailures: number;
  silentStreams: number;
  streams: Map<string, number>;
}

const NO_COUNTS: Previous = { messages: 0, filesWritten: 0, rowsWritten: 0, parseErrors: 0, reconnects: 0, flushFailures: 0, silentStreams: 0, streams: new Map() };
// Per exchange only: alarms and the dashboard look at one exchange at a time, and each dimension set is billed.
const EMF_DIMENSION_SETS = [[Dimension.Exchange]] as const;

export class Heartbeat {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly sink: EmfSink;
  private readonly log: Logger;
  private readonly startedAtMs: number;
  private readonly previous = new Map<string, Previous>();
  private previousMs: number;
  private timer?: NodeJS.Timeout;
  /** Beats run one after another, so two writes never race on the same temporary file. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: HeartbeatOptions) {
    this.now = o.now ?? Date.now;
    this.intervalMs = o.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.sink = o.sink ?? stdoutSink;
    this.log = o.log ?? logger('heartbeat');
    this.startedAtMs = this.now();
    this.previousMs = this.startedAtMs;
  }

  /** Writes the first beat (so the health file exists from the start), then one every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => { this.beat().catch((err: Error) => this.log.error({ err: err.message }, 'heartbeat failed')); }, this.intervalMs);
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
    const minutes = (nowMs - this.previousMs) / 60_000;
    const report: HeartbeatReport = {
      time: new Date(nowMs).toISOString(), timeMs: nowMs, startedAt: new Date(this.startedAtMs).toISOString(),
      uptimeSeconds: (nowMs - this.startedAtMs) / 1000, intervalSeconds: this.intervalMs / 1000, exchanges: {},
    };
    const spool = this.o.spool?.();
    if (spool) {
      report.spool = {
        pendingFiles: spool.pendingFiles, pendingBytes: spool.pendingBytes, inMemoryFiles: spool.inMemoryFiles,
        oldestPendingSeconds: spool.oldestPendingMs / 1000, spooled: spool.spooled, reuploaded: spool.reuploaded, lastError: spool.lastError ?? null,
      };
    }
    for (const s of this.o.snapshot()) {
      const prev = this.previous.get(s.exchange) ?? NO_COUNTS;
      const health = this.exchangeHealth(s, prev, nowMs, minutes);
      report.exchanges[s.exchange] = health;
      this.sink(JSON.stringify(emfDocument(metricsOf(health, prev), { [Dimension.Exchange]: s.exchange }, EMF_DIMENSION_SETS, nowMs)));
      this.previous.set(s.exchange, countsOf(health));
    }
    this.previousMs = nowMs;
    await this.write(report);
    return report;
  }

  private exchangeHealth(s: SourceSnapshot, prev: Previous, nowMs: number, minutes: number): ExchangeHealth {
    const c = s.collector;
    const perMinute = (delta: number) => (minutes > 0 ? delta / minutes : 0);
    const age = (eventMs: number) => Math.max(0, nowMs - (eventMs || this.startedAtMs)) / 1000;
    return {
      source: s.source, symbols: s.symbols,
      messages: c.messages, messagesPerMinute: perMinute(c.messages - prev.messages),
      lastEventTime: c.lastEventMs ? new Date(c.lastEventMs).toISOString() : null, lastEventAgeSeconds: age(c.lastEventMs),
      reconnects: c.reconnects, gaps: c.gaps,
      silentStreams: Object.values(c.silentStreams ?? {}).reduce((n, v) => n + v, 0), clockSkewMs: c.clockSkewMs ?? null,
      parseErrorCount: Object.values(c.errors).reduce((n, e) => n + e.count, 0), parseErrors: c.errors,
      bufferedRows: c.bufferedRows, unwrittenRows: s.unwrittenRows,
      lastFlushLatencyMs: c.lastFlushLatencyMs, flushFailures: c.flushFailures,
      filesWritten: c.filesWritten, rowsWritten: c.rowsWritten, bytesWritten: c.bytesWritten,
      streams: Object.fromEntries(Object.entries(c.streams).map(([name, st]) => [name, {
        records: st.messages, messagesPerMinute: perMinute(st.messages - (prev.streams.get(name) ?? 0)), lastEventAgeSeconds: age(st.lastEventMs),
      }])),
    };
  }

  /** Temporary file + rename, so the health check never reads a half-written file. */
  private async write(report: HeartbeatReport): Promise<void> {
    const json = this.o.file;
    const md = path.join(path.dirname(json), `${path.basename(json, path.extname(json))}.md`);
    try {
      await fs.mkdir(path.dirname(json), { recursive: true });
      await Promise.all([atomicWrite(json, `${JSON.stringify(report, null, 2)}\n`), atomicWrite(md, heartbeatMarkdown(report))]);
    } catch (err) {
      // A stale file then fails the health check, which is the right outcome if the disk stays unwritable.
      this.log.warn({ err: (err as Error).message, file: json }, 'heartbeat file not written');
    }
  }
}

function countsOf(h: ExchangeHealth): Previous {
  return {
    messages: h.messages, filesWritten: h.filesWritten, rowsWritten: h.rowsWritten, parseErrors: h.parseErrorCount,
    reconnects: h.reconnects, flushFailures: h.flushFailures, silentStreams: h.silentStreams,
    streams: new Map(Object.entries(h.streams).map(([name, st]) => [name, st.records])),
  };
}

function metricsOf(h: ExchangeHealth, prev: Previous): MetricValue[] {
  const filesDelta = h.filesWritten - prev.filesWritten;
  const failuresDelta = h.flushFailures - prev.flushFailures;
  const metrics: MetricValue[] = [
    { name: Metric.MessagesReceived, value: h.messages - prev.messages, unit: 'Count' },
    { name: Metric.BronzeFilesWritten, value: filesDelta, unit: 'Count' },
    { name: Metric.BronzeRowsWritten, value: h.rowsWritten - prev.rowsWritten, unit: 'Count' },
    { name: Metric.ParseErrors, value: h.parseErrorCount - prev.parseErrors, unit: 'Count' },
    { name: Metric.Reconnects, value: h.reconnects - prev.reconnects, unit: 'Count' },
    { name: Metric.FlushFailures, value: failuresDelta, unit: 'Count' },
    // Rows held in memory either way: not yet flushed, or flushed and failed.
    { name: Metric.BufferedRows, value: h.bufferedRows + h.unwrittenRows, unit: 'Count' },
    { name: Metric.LastEventAgeSeconds, value: h.lastEventAgeSeconds, unit: 'Seconds' },
    { name: Metric.SilentStreams, value: h.silentStreams - prev.silentStreams, unit: 'Count' },
  ];
  if (h.clockSkewMs !== null) metrics.push({ name: Metric.ClockSkewMs, value: h.clockSkewMs, unit: 'Milliseconds' });
  // Only a flush since the last beat has a latency to report; repeating the old one would skew averages.
  if (filesDelta > 0 || failuresDelta > 0) metrics.push({ name: Metric.FlushLatencyMs, value: h.lastFlushLatencyMs, unit: 'Milliseconds' });
  return metrics;
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (n: number) => `${n.toFixed(1)} s`;
/** Parse-error samples are raw exchange text: keep them on one line and out of the Markdown syntax. */
const inlineCode = (s: string) => `\`${s.replace(/[`\r\n]/g, ' ')}\``;

export function heartbeatMarkdown(r: HeartbeatReport): string {
  const lines = [
    '# Collector heartbeat', '',
    `${r.time} · up ${secs(r.uptimeSeconds)} · a beat every ${r.intervalSeconds} s`, '',
    '| exchange | msgs/min | last event age | clock skew | reconnects | silent streams | gaps | parse errors | buffered rows | unwritten rows | last flush | flush failures | files written | rows written |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(r.exchanges).map(([ex, h]) =>
      `| ${ex} | ${int(h.messagesPerMinute)} | ${secs(h.lastEventAgeSeconds)} | ${h.clockSkewMs === null ? '—' : `${int(h.clockSkewMs)} ms`} | ${h.reconnects} | ${h.silentStreams} | ${h.gaps} | ${h.parseErrorCount} | ${int(h.bufferedRows)} | ${int(h.unwrittenRows)} | ${int(h.lastFlushLatencyMs)} ms | ${h.flushFailures} | ${int(h.filesWritten)} | ${int(h.rowsWritten)} |`),
  ];
  if (r.spool) {
    const sp = r.spool;
    lines.push('', `Spool: ${sp.pendingFiles} file(s) waiting for the store (${int(sp.pendingBytes)} bytes, ${sp.inMemoryFiles} in memory only, oldest ${secs(sp.oldestPendingSeconds)}); ${sp.spooled} spooled and ${sp.reuploaded} re-uploaded since start${sp.lastError ? `; last error: ${inlineCode(sp.lastError)}` : ''}.`);
  }
  for (const [ex, h] of Object.entries(r.exchanges)) {
    lines.push('', `## ${ex} (${h.source}: ${h.symbols.join(', ')})`, '', '| stream | msgs/min | last event age |', '|---|---:|---:|');
    for (const [name, st] of Object.entries(h.streams).sort(([a], [b]) => a.localeCompare(b))) lines.push(`| ${name} | ${int(st.messagesPerMinute)} | ${secs(st.lastEventAgeSeconds)} |`);
    const errors = Object.entries(h.parseErrors);
    if (errors.length) {
      lines.push('', 'Parse errors:', '');
      for (const [kind, e] of errors) lines.push(`- ${kind} × ${e.count}${e.samples.length ? `, e.g. ${inlineCode(e.samples[0])}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
