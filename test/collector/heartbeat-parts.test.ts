import { Metric } from '../../lib/monitoring/metrics';
import type { UploaderStats } from '../../lib/collector/bronze-uploader';
import { beatCounts, beatMetricLine, beatMetrics, NO_COUNTS } from '../../lib/collector/heartbeat-metrics';
import { heartbeatMarkdown, heartbeatReport, type ReportInput } from '../../lib/collector/heartbeat-report';
import type { SourceSnapshot } from '../../lib/collector/service';
import type { CollectorSnapshot } from '../../lib/collector/stats';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function source(over: Partial<CollectorSnapshot> = {}, unwrittenRows = 0): SourceSnapshot {
  return {
    source: 'binance',
    exchange: 'binance',
    symbols: ['BTCUSDT'],
    unwrittenRows,
    collector: {
      messages: 0,
      records: 0,
      streams: {},
      errors: {},
      skipped: {},
      control: {},
      gaps: 0,
      filesWritten: 0,
      rowsWritten: 0,
      bytesWritten: 0,
      flushFailures: 0,
      lastFlushLatencyMs: 0,
      bufferedRows: 0,
      reconnects: 0,
      lastEventMs: 0,
      silentStreams: {},
      clockSkewMs: null,
      ...over,
    },
  };
}

function input(over: Partial<ReportInput>): ReportInput {
  return { sources: [], previous: () => undefined, nowMs: T0, startedAtMs: T0, previousBeatMs: T0, intervalMs: 15_000, ...over };
}

describe('heartbeat report (pure)', () => {
  it('rates messages per minute since the previous beat and ages events from the beat', () => {
    const report = heartbeatReport(
      input({
        sources: [
          source(
            {
              messages: 900,
              lastEventMs: T0 + 58_000,
              clockSkewMs: 12,
              streams: { 'btcusdt@trade': { messages: 500, lastEventMs: T0 + 58_000 } },
              errors: { 'not JSON': { count: 2, samples: [] } },
              silentStreams: { a: 1, b: 2 },
            },
            4,
          ),
        ],
        previous: () => ({ messages: 300, streams: new Map([['btcusdt@trade', 200]]) }),
        nowMs: T0 + 60_000,
        previousBeatMs: T0 + 30_000,
      }),
    );
    expect(report).toMatchObject({ timeMs: T0 + 60_000, uptimeSeconds: 60, intervalSeconds: 15 });
    expect(report.exchanges.binance).toMatchObject({
      messagesPerMinute: 1200,
      lastEventAgeSeconds: 2,
      clockSkewMs: 12,
      parseErrorCount: 2,
      silentStreams: 3,
      unwrittenRows: 4,
      streams: { 'btcusdt@trade': { records: 500, messagesPerMinute: 600, lastEventAgeSeconds: 2 } },
    });
    expect(report.spool).toBeUndefined();
  }, 5_000);

  it('reports no rate on the first beat and ages a silent feed from the start', () => {
    const report = heartbeatReport(
      input({
        sources: [source({ messages: 10 })],
        nowMs: T0 + 20_000,
        startedAtMs: T0,
        previousBeatMs: T0 + 20_000,
      }),
    );
    expect(report.exchanges.binance).toMatchObject({ messagesPerMinute: 0, lastEventTime: null, lastEventAgeSeconds: 20 });
  }, 5_000);

  it('summarises the spool and renders it in the Markdown', () => {
    const spool: UploaderStats = {
      uploaded: 1,
      spooled: 2,
      reuploaded: 1,
      pendingFiles: 1,
      pendingBytes: 1234,
      inMemoryFiles: 0,
      inMemoryBytes: 0,
      oldestPendingMs: 1500,
      putFailures: 3,
      spoolFailures: 0,
      corrupt: 0,
      lastError: 'put x: `boom`',
    };
    const report = heartbeatReport(input({ spool }));
    expect(report.spool).toEqual({
      pendingFiles: 1,
      pendingBytes: 1234,
      inMemoryFiles: 0,
      oldestPendingSeconds: 1.5,
      spooled: 2,
      reuploaded: 1,
      lastError: 'put x: `boom`',
    });
    expect(heartbeatMarkdown(report)).toContain(
      'Spool: 1 file(s) waiting for the store (1,234 bytes, 0 in memory only, oldest 1.5 s); 2 spooled and 1 re-uploaded since start; ' +
        'last error: `put x:  boom `.',
    );
  }, 5_000);

  it('renders one table row per exchange and one section per exchange with its streams sorted', () => {
    const report = heartbeatReport(
      input({
        sources: [source({ streams: { 'b@x': { messages: 1, lastEventMs: T0 }, 'a@x': { messages: 1, lastEventMs: T0 } } })],
        nowMs: T0 + 1000,
      }),
    );
    const md = heartbeatMarkdown(report);
    expect(md.startsWith('# Collector heartbeat\n')).toBe(true);
    expect(md).toContain('| binance | 0 | 1.0 s | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 ms | 0 | 0 | 0 |');
    expect(md).toContain('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    expect(md.indexOf('| a@x |')).toBeLessThan(md.indexOf('| b@x |'));
    expect(md).toContain('## binance (binance: BTCUSDT)');
  }, 5_000);
});

describe('heartbeat metrics (pure)', () => {
  const health = (over: Partial<CollectorSnapshot>) => heartbeatReport(input({ sources: [source(over)] })).exchanges.binance;

  it('sends counters as deltas from the previous counts and levels as they are', () => {
    const before = beatCounts(health({ messages: 100, rowsWritten: 10, filesWritten: 1, reconnects: 1 }));
    const metrics = beatMetrics(
      health({ messages: 250, rowsWritten: 40, filesWritten: 1, reconnects: 1, bufferedRows: 7 }),
      before,
    );
    const byName = Object.fromEntries(metrics.map((metric) => [metric.name, metric.value]));
    expect(byName).toMatchObject({
      MessagesReceived: 150,
      BronzeRowsWritten: 30,
      BronzeFilesWritten: 0,
      Reconnects: 0,
      BufferedRows: 7,
    });
    // No file and no failure since the previous beat: no latency; no skew sample: no skew.
    expect(byName).not.toHaveProperty(Metric.FlushLatencyMs);
    expect(byName).not.toHaveProperty(Metric.ClockSkewMs);
  }, 5_000);

  it('reports the flush latency only after a flush, and counts from zero before the first beat', () => {
    const metrics = beatMetrics(health({ filesWritten: 2, lastFlushLatencyMs: 80, clockSkewMs: -5 }), NO_COUNTS);
    expect(metrics).toEqual(
      expect.arrayContaining([
        { name: Metric.FlushLatencyMs, value: 80, unit: 'Milliseconds' },
        { name: Metric.ClockSkewMs, value: -5, unit: 'Milliseconds' },
        { name: Metric.BronzeFilesWritten, value: 2, unit: 'Count' },
      ]),
    );
    const line = JSON.parse(beatMetricLine('binance', health({ messages: 3 }), NO_COUNTS, T0));
    expect(line).toMatchObject({ Exchange: 'binance', MessagesReceived: 3, _aws: { Timestamp: T0 } });
  }, 5_000);
});
