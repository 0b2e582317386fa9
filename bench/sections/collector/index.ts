import path from 'node:path';
import type { Json, Measured, ReportTable, Section } from '../../lib/types';
import { failCell } from '../../lib/markdown';
import type { Stage } from './tasks';

/**
 * Collector throughput (issue: messages per second per core through parse + normalize + buffer + write,
 * replaying the real captures; peak memory per buffered hour of book_top10). Target: ≥ 50,000 messages/s per
 * core. Every case runs in its own single-threaded child process; CPU time is the whole process's.
 */

const TASKS = path.join(__dirname, 'tasks.ts');
export const TARGET_MSG_PER_S = 50_000;

const STAGES: { stage: Stage; label: string }[] = [
  { stage: 'json', label: 'JSON.parse of every message (floor)' },
  { stage: 'parse', label: '(a) adapter parse' },
  { stage: 'buffer', label: '(b) parse + buffer (onMessage, no flush)' },
  { stage: 'full', label: '(c) full path: + Bronze Parquet write (5-min flushes)' },
];

type Throughput = {
  messagesPerPass: number;
  spot: number;
  futures: number;
  depth10: number;
  passes: number;
  messages: number;
  recordsPerPass: number;
  rowsPerPass: number;
  filesPerPass: number;
  bytesPerPass: number;
};

type Hour = {
  gcExposed: boolean;
  messages: number;
  rows: number;
  baseRssMB: number;
  baseHeapMB: number;
  heldHeapMB: number;
  heldRssMB: number;
  heldArrayBuffersMB: number;
  heapBeforeGcMB: number;
  peakHeapMB: number;
  peakRssMB: number;
  bufferSeconds: number;
  bufferCpu: number;
  generateCpu: number;
  jsonCpu: number;
  messageBytes: number;
  flushSeconds: number;
  flushCpu: number;
  peakRssBeforeFlushMB: number;
  peakRssAfterFlushMB: number;
  files: number;
  parquetMB: number;
};

export const section: Section = {
  name: 'collector',
  title: 'Collector throughput: messages/s per core (parse, buffer, Parquet write) and memory per buffered hour of book_top10',
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const minCpuSeconds = ctx.quick ? 0.5 : 3;
    const results: { label: string; m: Measured<Throughput> }[] = [];
    for (const { stage, label } of STAGES) {
      const m = await ctx.measure<Throughput>(
        `throughput ${stage}`,
        {
          module: TASKS,
          fn: 'throughput',
          args: { stage, minCpuSeconds, workDir: ctx.workDir },
          nodeFlags: ['--expose-gc'],
        },
        runs,
      );
      results.push({ label, m });
    }
    const full = results[3].m;
    const mix = results.find((r) => r.m.ok && r.m.result)?.m.result;
    const perMsgUs = (m: Measured<Throughput>) => (m.ok && m.result ? (m.cpuSeconds / m.result.messages) * 1e6 : null);
    const throughputTable: ReportTable = {
      title: `Messages per second, one core${ctx.quick ? ' (quick)' : ''}`,
      reference: { key: 'case', value: STAGES[0].label },
      columns: [
        { key: 'case', label: 'case' },
        { key: 'messages', label: 'messages', digits: 0 },
        { key: 'wall', label: 'msg/s (wall)', digits: 0, ratio: true },
        { key: 'cpu', label: 'msg/s (CPU)', digits: 0, ratio: true },
        { key: 'us', label: 'CPU µs/msg', digits: 2, ratio: true },
        { key: 'target', label: `vs target ${TARGET_MSG_PER_S.toLocaleString('en-US')}/s (CPU)` },
        { key: 'rss', label: 'peak RSS MB', digits: 0 },
      ],
      rows: results.map(({ label, m }) => {
        if (!m.ok || !m.result)
          return { case: label, messages: null, wall: failCell(label, m), cpu: null, us: null, target: null, rss: null };
        const cpuRate = m.result.messages / m.cpuSeconds;
        return {
          case: label,
          messages: m.result.messages,
          wall: m.result.messages / m.seconds,
          cpu: cpuRate,
          us: perMsgUs(m),
          target: `${(cpuRate / TARGET_MSG_PER_S).toFixed(1)}× ${cpuRate >= TARGET_MSG_PER_S ? '✓ met' : '✗ not met'}`,
          rss: m.peakRssMB,
        };
      }),
      notes: mix
        ? [
            `One pass = ${mix.messagesPerPass.toLocaleString('en-US')} messages: Binance spot BTCUSDT 2024-08-08 + 2024-08-09 ` +
              `and ETHUSDT 2024-08-08 merged by receive time (${mix.spot.toLocaleString('en-US')} messages, of ` +
              `which ${mix.depth10.toLocaleString('en-US')} synthesized depth10@100ms, one per symbol every 100 ms; the ` +
              `captures' diff-depth messages stay in and are skipped by the adapter) through a spot collector, then USD-M ` +
              `BTCUSDT 2024-08-08 (${mix.futures.toLocaleString('en-US')} messages; diff depth skipped) through a ` +
              `binance-futures collector.`,
            `A pass yields ${Math.round(mix.recordsPerPass || results[1].m.result?.recordsPerPass || 0).toLocaleString('en-US')} ` +
              `normalized records; the full path writes ${
                full.ok && full.result
                  ? `${full.result.filesPerPass.toFixed(0)} Bronze files (${(full.result.bytesPerPass / 1e6).toFixed(2)} MB GZIP ` +
                    `Parquet, ${Math.round(full.result.rowsPerPass).toLocaleString('en-US')} rows)`
                  : '—'
              } per pass to a LocalObjectStore on tmp disk.`,
            `Each case replays whole passes (fresh collectors and adapters per pass, one untimed warm-up pass) until ` +
              `≥ ${minCpuSeconds} s of CPU; median of ${runs} run(s), each a fresh process. CPU = user + system of the whole ` +
              `process (includes GC and libuv file writes).`,
          ]
        : [],
    };

    ctx.log('buffered hour of book_top10');
    const h = await ctx.child<Hour>({
      module: TASKS,
      fn: 'bufferedHour',
      args: { workDir: ctx.workDir },
      nodeFlags: ['--expose-gc'],
    });
    const hourTable: ReportTable = {
      title: 'One buffered hour of book_top10 (one symbol, depth10@100ms = 36,000 messages), flushing disabled',
      columns: [
        { key: 'what', label: 'measure' },
        { key: 'v', label: 'value', digits: 1 },
        { key: 'unit', label: 'unit' },
      ],
      rows: h.ok
        ? [
            { what: 'rows buffered', v: h.result.rows, unit: 'rows' },
            { what: 'heap held after GC, over baseline', v: h.result.heldHeapMB, unit: 'MB' },
            { what: 'ArrayBuffers held after GC, over baseline', v: h.result.heldArrayBuffersMB, unit: 'MB' },
            { what: 'RSS after GC, over baseline', v: h.result.heldRssMB, unit: 'MB' },
            { what: 'peak heap while buffering, over baseline (sampled every 1,000 msgs)', v: h.result.peakHeapMB, unit: 'MB' },
            { what: 'peak RSS while buffering, over baseline (sampled)', v: h.result.peakRssMB, unit: 'MB' },
            { what: 'baseline RSS (node + tsx + code, after GC)', v: h.result.baseRssMB, unit: 'MB' },
            { what: 'messages of the hour (JSON text)', v: h.result.messageBytes / 1e6, unit: 'MB' },
            {
              what: 'buffering the hour (CPU, generating the messages excluded)',
              v: h.result.bufferCpu - h.result.generateCpu,
              unit: 's',
            },
            { what: "JSON.parse of the hour's messages (floor, CPU)", v: h.result.messages / h.result.jsonCpu, unit: 'msg/s' },
            { what: 'buffering rate (CPU)', v: h.result.messages / (h.result.bufferCpu - h.result.generateCpu), unit: 'msg/s' },
            { what: 'flush of the hour to Parquet (wall)', v: h.result.flushSeconds, unit: 's' },
            { what: 'flush of the hour to Parquet (CPU)', v: h.result.flushCpu, unit: 's' },
            {
              what: 'full path for the hour (buffer + flush, CPU)',
              v: h.result.messages / (h.result.bufferCpu - h.result.generateCpu + h.result.flushCpu),
              unit: 'msg/s',
            },
            { what: 'process peak RSS before flush', v: h.result.peakRssBeforeFlushMB, unit: 'MB' },
            { what: 'process peak RSS after flush', v: h.result.peakRssAfterFlushMB, unit: 'MB' },
            { what: `Parquet written (${h.result.files} file(s))`, v: h.result.parquetMB, unit: 'MB' },
          ]
        : [{ what: 'buffered hour', v: failCell('bufferedHour', h), unit: null }],
      notes: h.ok
        ? [
            h.result.gcExposed
              ? 'Run with --expose-gc: "after GC" figures follow two full collections.'
              : 'global.gc unavailable: "after GC" figures include garbage.',
            'Synthetic messages are generated one at a time and dropped, so the held figures are the buffers (TableBuilder ' +
              'columns) and collector state only.',
          ]
        : [],
    };

    const met = full.ok && full.result ? full.result.messages / full.cpuSeconds >= TARGET_MSG_PER_S : false;
    const notes = [
      `Target: ≥ ${TARGET_MSG_PER_S.toLocaleString('en-US')} messages/s per core through the full path (CPU ` +
        `time): ${full.ok ? (met ? 'met' : 'NOT met') : 'not measured (full path failed)'}.`,
      `Node ${process.version}; each case single-threaded JS in its own child (Parquet encoding and stats in JS, GZIP in zlib ` +
        `on the same thread; only file I/O leaves the main thread).`,
    ];
    return {
      tables: [throughputTable, hourTable],
      notes,
      data: { throughput: results as unknown as Json, hour: h as unknown as Json },
    };
  },
};
