import type { ParseOutcome } from '../exchanges/types';
import type { WrittenFile } from '../bronze/bronze-writer';

/** Counters the collector reports in its heartbeat: messages per stream, errors by kind with samples, flushes. */

export interface StreamSnapshot {
  messages: number;
  lastEventMs: number;
}

export interface CollectorSnapshot {
  messages: number;
  records: number;
  streams: Record<string, StreamSnapshot>;
  errors: Record<string, { count: number; samples: string[] }>;
  skipped: Record<string, number>;
  control: Record<string, number>;
  gaps: number;
  filesWritten: number;
  rowsWritten: number;
  bytesWritten: number;
  flushFailures: number;
  lastFlushLatencyMs: number;
  bufferedRows: number;
  reconnects: number;
  lastEventMs: number;
  /** Streams found silent while their connection delivered, by stream. */
  silentStreams: Record<string, number>;
  /** Receive minus exchange event time, smoothed (may be negative: the local clock can lag the exchange). */
  clockSkewMs: number | null;
}

const MAX_SAMPLES = 3;
const SAMPLE_CHARS = 300;

export class CollectorStats {
  private messages = 0;
  private records = 0;
  private readonly streams = new Map<string, StreamSnapshot>();
  private readonly errors = new Map<string, { count: number; samples: string[] }>();
  private readonly skipped = new Map<string, number>();
  private readonly control = new Map<string, number>();
  private gaps = 0;
  private filesWritten = 0;
  private rowsWritten = 0;
  private bytesWritten = 0;
  private flushFailures = 0;
  private lastFlushLatencyMs = 0;
  private lastEventMs = 0;
  private readonly silentStreams = new Map<string, number>();
  private clockSkewMs: number | null = null;

  constructor(private readonly now: () => number) {}

  get messageCount(): number {
    return this.messages;
  }

  message(out: ParseOutcome, raw: string): void {
    this.messages++;
    switch (out.kind) {
      case 'records':
        this.records += out.records.length;
        break;
      case 'control':
        bump(this.control, out.what);
        break;
      case 'skipped':
        bump(this.skipped, out.reason);
        break;
      case 'error':
        this.rejected(out.reason, raw);
        break;
    }
  }

  rejected(reason: string, raw: string): void {
    const e = this.errors.get(reason) ?? { count: 0, samples: [] };
    e.count++;
    if (e.samples.length < MAX_SAMPLES) e.samples.push(raw.slice(0, SAMPLE_CHARS));
    this.errors.set(reason, e);
  }

  event(stream: string, eventMs: number): void {
    const snapshot = this.streams.get(stream) ?? { messages: 0, lastEventMs: 0 };
    snapshot.messages++;
    if (eventMs > snapshot.lastEventMs) snapshot.lastEventMs = eventMs;
    if (eventMs > this.lastEventMs) this.lastEventMs = eventMs;
    this.streams.set(stream, snapshot);
  }

  silent(stream: string): void {
    bump(this.silentStreams, stream);
  }

  /** Receive minus event time, exponentially smoothed over ~100 messages: a level for the heartbeat. */
  skew(ms: number): void {
    this.clockSkewMs = this.clockSkewMs === null ? ms : this.clockSkewMs + (ms - this.clockSkewMs) * 0.01;
  }

  gap(): void {
    this.gaps++;
  }

  flushed(files: readonly WrittenFile[], latencyMs: number): void {
    this.filesWritten += files.length;
    for (const file of files) {
      this.rowsWritten += file.rows;
      this.bytesWritten += file.bytes;
    }
    this.lastFlushLatencyMs = latencyMs;
  }

  flushFailed(): void {
    this.flushFailures++;
  }

  snapshot(bufferedRows: number, reconnects: number): CollectorSnapshot {
    return {
      messages: this.messages,
      records: this.records,
      streams: Object.fromEntries([...this.streams].map(([k, snapshot]) => [k, { ...snapshot }])),
      errors: Object.fromEntries([...this.errors].map(([k, v]) => [k, { count: v.count, samples: [...v.samples] }])),
      skipped: Object.fromEntries(this.skipped),
      control: Object.fromEntries(this.control),
      gaps: this.gaps,
      filesWritten: this.filesWritten,
      rowsWritten: this.rowsWritten,
      bytesWritten: this.bytesWritten,
      flushFailures: this.flushFailures,
      lastFlushLatencyMs: this.lastFlushLatencyMs,
      bufferedRows,
      reconnects,
      lastEventMs: this.lastEventMs,
      silentStreams: Object.fromEntries(this.silentStreams),
      clockSkewMs: this.clockSkewMs === null ? null : Math.round(this.clockSkewMs),
    };
  }

  /** Wall-clock now of the collector's clock, for heartbeat ages. */
  nowMs(): number {
    return this.now();
  }
}

function bump(counts: Map<string, number>, k: string): void {
  counts.set(k, (counts.get(k) ?? 0) + 1);
}
