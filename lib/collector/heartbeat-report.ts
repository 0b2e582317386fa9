import type { UploaderStats } from './bronze-uploader';
import type { SourceSnapshot } from './service';

/**
 * The heartbeat's report: the JSON health file the container health check reads, and its Markdown twin for
 * humans. Pure: the same snapshots and times give the same report.
 */

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

export interface SpoolHealth {
  pendingFiles: number;
  pendingBytes: number;
  inMemoryFiles: number;
  oldestPendingSeconds: number;
  spooled: number;
  reuploaded: number;
  lastError: string | null;
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
  spool?: SpoolHealth;
}

/** Message counts of an exchange at the previous beat: rates are per minute since then. */
export interface PreviousCounts {
  messages: number;
  /** Per stream. */
  streams: ReadonlyMap<string, number>;
}

export interface ReportInput {
  sources: readonly SourceSnapshot[];
  spool?: UploaderStats;
  /** Counts at the previous beat, per exchange; none before the first beat of an exchange. */
  previous(exchange: string): PreviousCounts | undefined;
  nowMs: number;
  startedAtMs: number;
  previousBeatMs: number;
  intervalMs: number;
}

const NO_COUNTS: PreviousCounts = { messages: 0, streams: new Map() };

export function heartbeatReport(input: ReportInput): HeartbeatReport {
  const { nowMs, startedAtMs } = input;
  const report: HeartbeatReport = {
    time: new Date(nowMs).toISOString(),
    timeMs: nowMs,
    startedAt: new Date(startedAtMs).toISOString(),
    uptimeSeconds: (nowMs - startedAtMs) / 1000,
    intervalSeconds: input.intervalMs / 1000,
    exchanges: {},
  };
  if (input.spool) report.spool = spoolHealth(input.spool);
  const minutes = (nowMs - input.previousBeatMs) / 60_000;
  for (const source of input.sources) {
    report.exchanges[source.exchange] = exchangeHealth(
      source,
      input.previous(source.exchange) ?? NO_COUNTS,
      nowMs,
      startedAtMs,
      minutes,
    );
  }
  return report;
}

function spoolHealth(stats: UploaderStats): SpoolHealth {
  return {
    pendingFiles: stats.pendingFiles,
    pendingBytes: stats.pendingBytes,
    inMemoryFiles: stats.inMemoryFiles,
    oldestPendingSeconds: stats.oldestPendingMs / 1000,
    spooled: stats.spooled,
    reuploaded: stats.reuploaded,
    lastError: stats.lastError ?? null,
  };
}

function exchangeHealth(
  source: SourceSnapshot,
  previous: PreviousCounts,
  nowMs: number,
  startedAtMs: number,
  minutes: number,
): ExchangeHealth {
  const counters = source.collector;
  const perMinute = (delta: number) => (minutes > 0 ? delta / minutes : 0);
  const age = (eventMs: number) => Math.max(0, nowMs - (eventMs || startedAtMs)) / 1000;
  return {
    source: source.source,
    symbols: source.symbols,
    messages: counters.messages,
    messagesPerMinute: perMinute(counters.messages - previous.messages),
    lastEventTime: counters.lastEventMs ? new Date(counters.lastEventMs).toISOString() : null,
    lastEventAgeSeconds: age(counters.lastEventMs),
    reconnects: counters.reconnects,
    gaps: counters.gaps,
    silentStreams: Object.values(counters.silentStreams ?? {}).reduce((n, count) => n + count, 0),
    clockSkewMs: counters.clockSkewMs ?? null,
    parseErrorCount: Object.values(counters.errors).reduce((n, error) => n + error.count, 0),
    parseErrors: counters.errors,
    bufferedRows: counters.bufferedRows,
    unwrittenRows: source.unwrittenRows,
    lastFlushLatencyMs: counters.lastFlushLatencyMs,
    flushFailures: counters.flushFailures,
    filesWritten: counters.filesWritten,
    rowsWritten: counters.rowsWritten,
    bytesWritten: counters.bytesWritten,
    streams: Object.fromEntries(
      Object.entries(counters.streams).map(([name, stream]) => [
        name,
        {
          records: stream.messages,
          messagesPerMinute: perMinute(stream.messages - (previous.streams.get(name) ?? 0)),
          lastEventAgeSeconds: age(stream.lastEventMs),
        },
      ]),
    ),
  };
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const secs = (value: number) => `${value.toFixed(1)} s`;
/** Parse-error samples are raw exchange text: keep them on one line and out of the Markdown syntax. */
const inlineCode = (text: string) => `\`${text.replace(/[`\r\n]/g, ' ')}\``;

const EXCHANGE_COLUMNS = [
  'exchange',
  'msgs/min',
  'last event age',
  'clock skew',
  'reconnects',
  'silent streams',
  'gaps',
  'parse errors',
  'buffered rows',
  'unwritten rows',
  'last flush',
  'flush failures',
  'files written',
  'rows written',
];

function exchangeRow(exchange: string, health: ExchangeHealth): string {
  const cells = [
    exchange,
    int(health.messagesPerMinute),
    secs(health.lastEventAgeSeconds),
    health.clockSkewMs === null ? '—' : `${int(health.clockSkewMs)} ms`,
    health.reconnects,
    health.silentStreams,
    health.gaps,
    health.parseErrorCount,
    int(health.bufferedRows),
    int(health.unwrittenRows),
    `${int(health.lastFlushLatencyMs)} ms`,
    health.flushFailures,
    int(health.filesWritten),
    int(health.rowsWritten),
  ];
  return `| ${cells.join(' | ')} |`;
}

function spoolLine(spool: SpoolHealth): string {
  const lastError = spool.lastError ? `; last error: ${inlineCode(spool.lastError)}` : '';
  const waiting =
    `${spool.pendingFiles} file(s) waiting for the store (${int(spool.pendingBytes)} bytes, ` +
    `${spool.inMemoryFiles} in memory only, oldest ${secs(spool.oldestPendingSeconds)})`;
  return `Spool: ${waiting}; ${spool.spooled} spooled and ${spool.reuploaded} re-uploaded since start${lastError}.`;
}

export function heartbeatMarkdown(report: HeartbeatReport): string {
  const lines = [
    '# Collector heartbeat',
    '',
    `${report.time} · up ${secs(report.uptimeSeconds)} · a beat every ${report.intervalSeconds} s`,
    '',
    `| ${EXCHANGE_COLUMNS.join(' | ')} |`,
    `|---|${EXCHANGE_COLUMNS.slice(1)
      .map(() => '---:')
      .join('|')}|`,
    ...Object.entries(report.exchanges).map(([exchange, health]) => exchangeRow(exchange, health)),
  ];
  if (report.spool) lines.push('', spoolLine(report.spool));
  for (const [exchange, health] of Object.entries(report.exchanges)) {
    lines.push('', `## ${exchange} (${health.source}: ${health.symbols.join(', ')})`, '');
    lines.push('| stream | msgs/min | last event age |', '|---|---:|---:|');
    const streams = Object.entries(health.streams).sort(([a], [b]) => a.localeCompare(b));
    for (const [name, stream] of streams) {
      lines.push(`| ${name} | ${int(stream.messagesPerMinute)} | ${secs(stream.lastEventAgeSeconds)} |`);
    }
    const errors = Object.entries(health.parseErrors);
    if (errors.length) {
      lines.push('', 'Parse errors:', '');
      for (const [kind, error] of errors) {
        const sample = error.samples.length ? `, e.g. ${inlineCode(error.samples[0])}` : '';
        lines.push(`- ${kind} × ${error.count}${sample}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
