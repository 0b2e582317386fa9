import fs from 'node:fs';
import path from 'node:path';
import { Heartbeat, type HeartbeatReport } from '../../lib/collector/heartbeat';
import type { SourceSnapshot } from '../../lib/collector/service';
import type { CollectorSnapshot } from '../../lib/collector/stats';
import { Metric, METRICS_NAMESPACE } from '../../lib/monitoring/metrics';
import { tmpDir } from '../helpers/sample-rows';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function collectorSnapshot(over: Partial<CollectorSnapshot> = {}): CollectorSnapshot {
  return {
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
  };
}

/** A heartbeat over a hand-made snapshot, a clock the test moves and a sink that keeps the EMF documents. */
function rig(file = path.join(tmpDir('heartbeat'), 'hb.json')) {
  const clock = { t: T0 };
  const lines: string[] = [];
  const state: { sources: SourceSnapshot[] } = {
    sources: [{ source: 'binance', exchange: 'binance', symbols: ['BTCUSDT'], collector: collectorSnapshot(), unwrittenRows: 0 }],
  };
  const hb = new Heartbeat({
    file,
    snapshot: () => state.sources,
    now: () => clock.t,
    sink: (l) => lines.push(l),
    intervalMs: 60_000,
  });
  const docs = () =>
    lines.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: {
            Timestamp: number;
            CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
          };
        },
    );
  const set = (over: Partial<CollectorSnapshot>, unwrittenRows = 0) => {
    state.sources[0] = { ...state.sources[0], collector: collectorSnapshot(over), unwrittenRows };
  };
  return { hb, clock, docs, set, file, state };
}

describe('collector heartbeat', () => {
  it('reports the Bronze spool when the service has one', async () => {
    const file = path.join(tmpDir('heartbeat'), 'hb.json');
    const spool = {
      uploaded: 10,
      spooled: 3,
      reuploaded: 1,
      pendingFiles: 2,
      pendingBytes: 4096,
      inMemoryFiles: 0,
      inMemoryBytes: 0,
      oldestPendingMs: 75_000,
      putFailures: 4,
      spoolFailures: 0,
      corrupt: 0,
      lastError: 'put bronze/x: connect ECONNREFUSED',
    };
    const hb = new Heartbeat({ file, snapshot: () => [], spool: () => spool, now: () => T0, sink: () => undefined });
    const report = await hb.beat();
    expect(report.spool).toEqual({
      pendingFiles: 2,
      pendingBytes: 4096,
      inMemoryFiles: 0,
      oldestPendingSeconds: 75,
      spooled: 3,
      reuploaded: 1,
      lastError: 'put bronze/x: connect ECONNREFUSED',
    });
    expect(fs.readFileSync(file.replace(/\.json$/, '.md'), 'utf8')).toContain(
      'Spool: 2 file(s) waiting for the store (4,096 bytes, 0 in memory only, oldest 75.0 s)',
    );
  });

  it('writes the JSON health file and its Markdown twin atomically, with rates and ages', async () => {
    const { hb, clock, set, file } = rig();
    await hb.beat();
    clock.t = T0 + 30_000;
    set(
      {
        messages: 600,
        lastEventMs: T0 + 29_500,
        reconnects: 1,
        gaps: 1,
        clockSkewMs: -1270,
        silentStreams: { 'btcusdt@depth10@100ms': 2 },
        bufferedRows: 40,
        filesWritten: 3,
        rowsWritten: 500,
        bytesWritten: 9000,
        lastFlushLatencyMs: 120,
        streams: {
          'btcusdt@trade': { messages: 300, lastEventMs: T0 + 29_500 },
          'btcusdt@kline_1m': { messages: 15, lastEventMs: T0 + 20_000 },
        },
        errors: { 'not JSON': { count: 2, samples: ['{oops`|\nx'] } },
      },
      7,
    );
    const report = await hb.beat();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(report);
    expect(report).toMatchObject({
      time: '2026-01-05T12:00:30.000Z',
      timeMs: T0 + 30_000,
      startedAt: '2026-01-05T12:00:00.000Z',
      uptimeSeconds: 30,
      intervalSeconds: 60,
    });
    expect(report.exchanges.binance).toMatchObject({
      source: 'binance',
      symbols: ['BTCUSDT'],
      messages: 600,
      messagesPerMinute: 1200,
      lastEventTime: '2026-01-05T12:00:29.500Z',
      lastEventAgeSeconds: 0.5,
      reconnects: 1,
      gaps: 1,
      parseErrorCount: 2,
      bufferedRows: 40,
      unwrittenRows: 7,
      lastFlushLatencyMs: 120,
      filesWritten: 3,
      rowsWritten: 500,
      streams: {
        'btcusdt@trade': { records: 300, messagesPerMinute: 600, lastEventAgeSeconds: 0.5 },
        'btcusdt@kline_1m': { records: 15, messagesPerMinute: 30, lastEventAgeSeconds: 10 },
      },
    });
    const md = fs.readFileSync(file.replace(/\.json$/, '.md'), 'utf8');
    expect(md).toContain('| binance | 1,200 | 0.5 s | -1,270 ms | 1 | 2 | 1 | 2 | 40 | 7 | 120 ms | 0 | 3 | 500 |');
    expect(md).toContain('| btcusdt@kline_1m | 30 | 10.0 s |');
    // A raw sample cannot break the Markdown: one line, no backtick of its own.
    expect(md).toContain('- not JSON × 2, e.g. `{oops | x`');
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['hb.json', 'hb.md']);
  });

  it('ages a feed that never sent anything from the moment the heartbeat started', async () => {
    const { hb, clock } = rig();
    clock.t = T0 + 45_000;
    const report = await hb.beat();
    expect(report.exchanges.binance).toMatchObject({ lastEventTime: null, lastEventAgeSeconds: 45 });
  });

  it('emits one EMF document per exchange, counters as deltas since the previous beat', async () => {
    const { hb, clock, set, docs } = rig();
    set({
      messages: 100,
      filesWritten: 2,
      rowsWritten: 50,
      reconnects: 1,
      lastFlushLatencyMs: 80,
      lastEventMs: T0,
      errors: { bad: { count: 1, samples: [] } },
    });
    await hb.beat();
    clock.t = T0 + 15_000;
    set(
      {
        messages: 250,
        filesWritten: 2,
        rowsWritten: 50,
        reconnects: 1,
        lastFlushLatencyMs: 80,
        lastEventMs: T0 + 12_000,
        bufferedRows: 90,
        errors: { bad: { count: 4, samples: [] } },
      },
      10,
    );
    await hb.beat();
    const [first, second] = docs();
    expect(first._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['Exchange']], Metrics: expect.any(Array) },
    ]);
    expect(first).toMatchObject({
      Exchange: 'binance',
      MessagesReceived: 100,
      BronzeFilesWritten: 2,
      BronzeRowsWritten: 50,
      ParseErrors: 1,
      Reconnects: 1,
      FlushFailures: 0,
      FlushLatencyMs: 80,
    });
    expect(second._aws.Timestamp).toBe(T0 + 15_000);
    expect(second).toMatchObject({
      MessagesReceived: 150,
      BronzeFilesWritten: 0,
      BronzeRowsWritten: 0,
      ParseErrors: 3,
      Reconnects: 0,
      FlushFailures: 0,
      BufferedRows: 100,
      LastEventAgeSeconds: 3,
    });
    // No flush since the previous beat: no latency to report.
    expect(second).not.toHaveProperty(Metric.FlushLatencyMs);
    const known = new Set<string>(Object.values(Metric));
    for (const d of docs()) {
      const names = d._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name);
      expect(names.filter((n) => !known.has(n))).toEqual([]);
      for (const n of names) expect(typeof d[n]).toBe('number');
    }
    // Only the published (billed) metrics are declared; the rest (BufferedRows, ...) are fields of the same line.
    expect(second._aws.CloudWatchMetrics[0].Metrics).toEqual(
      expect.arrayContaining([
        { Name: Metric.LastEventAgeSeconds, Unit: 'Seconds' },
        { Name: Metric.MessagesReceived, Unit: 'Count' },
        { Name: Metric.BronzeFilesWritten, Unit: 'Count' },
      ]),
    );
    expect(second._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).not.toContain(Metric.BufferedRows);
    expect(second.BufferedRows).toBe(100);
  });

  it('reports a failed flush with its latency and keeps exchanges apart', async () => {
    const { hb, clock, state, docs } = rig();
    state.sources.push({
      source: 'binanceus',
      exchange: 'binanceus',
      symbols: ['BTCUSD'],
      collector: collectorSnapshot({ messages: 9 }),
      unwrittenRows: 0,
    });
    await hb.beat();
    clock.t += 15_000;
    state.sources[1] = {
      ...state.sources[1],
      collector: collectorSnapshot({ messages: 9, flushFailures: 1, lastFlushLatencyMs: 3000 }),
      unwrittenRows: 500,
    };
    const report = await hb.beat();
    expect(Object.keys(report.exchanges)).toEqual(['binance', 'binanceus']);
    const us = docs().filter((d) => d.Exchange === 'binanceus');
    expect(us[1]).toMatchObject({ MessagesReceived: 0, FlushFailures: 1, FlushLatencyMs: 3000, BufferedRows: 500 });
    expect(docs().filter((d) => d.Exchange === 'binance')[1]).toMatchObject({ MessagesReceived: 0 });
  });

  it('beats on its timer from start() to stop(), and stop() writes a last beat', async () => {
    const file = path.join(tmpDir('heartbeat'), 'hb.json');
    const lines: string[] = [];
    const hb = new Heartbeat({
      file,
      intervalMs: 20,
      sink: (l) => lines.push(l),
      snapshot: () => [{ source: 'sim', exchange: 'binance', symbols: ['X'], collector: collectorSnapshot(), unwrittenRows: 0 }],
    });
    await hb.start();
    expect(fs.existsSync(file)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    const last: HeartbeatReport = await hb.stop();
    const count = lines.length;
    expect(count).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).timeMs).toBe(last.timeMs);
    await new Promise((r) => setTimeout(r, 80));
    expect(lines.length).toBe(count);
  });

  it('keeps emitting metrics when the health file cannot be written (the stale file then fails the health check)', async () => {
    const dir = tmpDir('heartbeat');
    fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
    const { hb, docs } = rig(path.join(dir, 'not-a-folder', 'hb.json'));
    await expect(hb.beat()).resolves.toMatchObject({ exchanges: { binance: expect.any(Object) } });
    expect(docs()).toHaveLength(1);
  });
});
