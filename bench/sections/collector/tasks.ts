import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sourceProfile } from '../../../lib/exchanges/registry';
import { Collector } from '../../../lib/collector/collector';
import { BinanceFuturesAdapter } from '../../../lib/exchanges/binance';
import type { ExchangeAdapter } from '../../../lib/exchanges/types';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import type { TaskFn } from '../../lib/types';
import { FUTURES_FILES, depth10Hour, readCapture, spotMix, type Message } from './inputs';
import { cpuNow, fullGc, timedFlush } from '../../lib/process-usage';

/**
 * Child tasks of the collector bench. Each replays the same message mix (Binance spot captures + synthesized
 * depth10, then the USD-M capture) in passes until `minCpuSeconds` of CPU have gone by, doing more of the
 * collector's work per case: JSON.parse only (the floor), adapter parse, collector.onMessage with no flush,
 * the full path with Bronze Parquet written to a LocalObjectStore.
 */

export type Stage = 'json' | 'parse' | 'buffer' | 'full';

interface Mix {
  spot: Message[];
  futures: Message[];
}

function loadMix(): Mix & { depth10: number } {
  const { messages, depth10 } = spotMix();
  return { spot: messages, futures: FUTURES_FILES.flatMap(readCapture), depth10 };
}

const SILENT = pino({ level: 'silent' });
const NEVER = 1e15;

function collectors(stage: Stage, store: LocalObjectStore | undefined): { spot: Collector; futures: Collector } {
  const flushIntervalMs = stage === 'buffer' ? NEVER : undefined;
  const spot = sourceProfile('binance');
  return {
    spot: new Collector({
      exchange: spot.exchange,
      adapter: spot.adapter,
      url: 'ws://127.0.0.1:1/unused',
      store: store!,
      flushIntervalMs,
      contiguousTradeIds: true,
      log: SILENT,
    }),
    futures: new Collector({
      exchange: 'binance-futures',
      adapter: new BinanceFuturesAdapter(),
      url: 'ws://127.0.0.1:1/unused',
      store: store!,
      flushIntervalMs,
      contiguousTradeIds: true,
      log: SILENT,
    }),
  };
}

/**
 * Feeds messages as a socket would: the collector's own 5-minute flushes are started from onMessage and run
 * when the event loop gets a turn, so yield every few hundred messages.
 */
async function feed(c: Collector, messages: readonly Message[], yieldEvery: number): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    c.onMessage(messages[i].raw, messages[i].receiveMs);
    if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) await Promise.resolve();
  }
}

async function pass(
  stage: Stage,
  mix: Mix,
  storeRoot: string,
  sink: { n: number; rows: number; records: number },
): Promise<void> {
  if (stage === 'json') {
    for (const m of mix.spot) sink.n += JSON.parse(m.raw) === null ? 0 : 1;
    for (const m of mix.futures) sink.n += JSON.parse(m.raw) === null ? 0 : 1;
    return;
  }
  if (stage === 'parse') {
    const spot: ExchangeAdapter = sourceProfile('binance').adapter;
    const fut: ExchangeAdapter = new BinanceFuturesAdapter();
    for (const m of mix.spot) {
      const o = spot.parse(m.raw, m.receiveMs);
      if (o.kind === 'records') sink.records += o.records.length;
    }
    for (const m of mix.futures) {
      const o = fut.parse(m.raw, m.receiveMs);
      if (o.kind === 'records') sink.records += o.records.length;
    }
    return;
  }
  const store = stage === 'full' ? new LocalObjectStore(storeRoot) : undefined;
  const c = collectors(stage, store);
  if (stage === 'buffer') {
    await feed(c.spot, mix.spot, 0);
    await feed(c.futures, mix.futures, 0);
    sink.rows += c.spot.buffers.bufferedRows + c.futures.buffers.bufferedRows;
    return;
  }
  await feed(c.spot, mix.spot, 256);
  await c.spot.flush();
  await feed(c.futures, mix.futures, 256);
  await c.futures.flush();
  sink.rows += c.spot.snapshot().rowsWritten + c.futures.snapshot().rowsWritten;
}

function dirStats(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(root);
  return { files, bytes };
}

/** args: { stage, minCpuSeconds, workDir } → messages and passes; the child reports seconds and CPU seconds. */
export const throughput: TaskFn = async (args, probe) => {
  const { stage, minCpuSeconds, workDir } = args as { stage: Stage; minCpuSeconds: number; workDir: string };
  const mix = loadMix();
  const perPass = mix.spot.length + mix.futures.length;
  const storeRoot = mkdtempSync(path.join(workDir ?? os.tmpdir(), `lake-${stage}-`));
  // One untimed pass warms the JIT (and the page cache for the store).
  await pass(stage, mix, storeRoot, { n: 0, rows: 0, records: 0 });
  rmSync(storeRoot, { recursive: true, force: true });
  const sink = { n: 0, rows: 0, records: 0 };
  probe.ready();
  let passes = 0;
  await probe.time(async () => {
    const cpu0 = cpuNow();
    while (passes === 0 || cpuNow() - cpu0 < minCpuSeconds) {
      await pass(stage, mix, storeRoot, sink);
      passes++;
    }
  });
  const written = stage === 'full' ? dirStats(storeRoot) : { files: 0, bytes: 0 };
  rmSync(storeRoot, { recursive: true, force: true });
  return {
    messagesPerPass: perPass,
    spot: mix.spot.length,
    futures: mix.futures.length,
    depth10: mix.depth10,
    passes,
    messages: perPass * passes,
    recordsPerPass: sink.records / passes,
    rowsPerPass: sink.rows / passes,
    filesPerPass: written.files / passes,
    bytesPerPass: written.bytes / passes,
  };
};

const MB = 1e6;

/**
 * One hour of one symbol's depth10@100ms into a collector that does not flush: heap and RSS over the baseline
 * (after a full GC when run with --expose-gc), peak RSS sampled while buffering, then the time and peak RSS of
 * flushing that hour to Parquet.
 */
export const bufferedHour: TaskFn = async (args, probe) => {
  const { workDir } = args as { workDir: string };
  const storeRoot = mkdtempSync(path.join(workDir ?? os.tmpdir(), 'lake-hour-'));
  const store = new LocalObjectStore(storeRoot);
  const spot = sourceProfile('binance');
  const c = new Collector({
    exchange: spot.exchange,
    adapter: spot.adapter,
    url: 'ws://127.0.0.1:1/unused',
    store,
    flushIntervalMs: NEVER,
    log: SILENT,
  });
  const start = Date.UTC(2024, 7, 8, 12, 0, 0);
  // Warm up the parse path on another symbol's few messages, then drop them, so the baseline holds the code.
  {
    const warm = new Collector({
      exchange: spot.exchange,
      adapter: spot.adapter,
      url: 'ws://127.0.0.1:1/unused',
      store,
      flushIntervalMs: NEVER,
      log: SILENT,
    });
    let i = 0;
    for (const m of depth10Hour(start - 3_600_000, 'ethusdt')) {
      warm.onMessage(m.raw, m.receiveMs);
      if (++i >= 2000) break;
    }
  }
  // Generating the synthetic messages is not collector work: time it alone, to subtract.
  const g0 = cpuNow();
  let chars = 0;
  for (const m of depth10Hour(start)) chars += m.raw.length;
  const generateCpu = cpuNow() - g0;
  const j0 = cpuNow();
  for (const m of depth10Hour(start)) chars -= JSON.parse(m.raw) === null ? 1 : 0;
  const jsonCpu = cpuNow() - j0 - generateCpu;
  fullGc();
  const base = process.memoryUsage();
  probe.ready();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const t0 = performance.now();
  const cpu0 = cpuNow();
  let n = 0;
  for (const m of depth10Hour(start)) {
    c.onMessage(m.raw, m.receiveMs);
    if (++n % 1000 === 0) {
      const u = process.memoryUsage();
      if (u.rss > peakRss) peakRss = u.rss;
      if (u.heapUsed > peakHeap) peakHeap = u.heapUsed;
    }
  }
  const bufferSeconds = (performance.now() - t0) / 1000;
  const bufferCpu = cpuNow() - cpu0;
  const rows = c.buffers.bufferedRows;
  const beforeGc = process.memoryUsage();
  fullGc();
  const held = process.memoryUsage();
  const { maxRssBeforeFlush, maxRssAfterFlush, ...flushed } = await timedFlush(probe, c);
  const written = dirStats(storeRoot);
  rmSync(storeRoot, { recursive: true, force: true });
  return {
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    messages: n,
    rows,
    baseRssMB: base.rss / MB,
    baseHeapMB: base.heapUsed / MB,
    heldHeapMB: (held.heapUsed - base.heapUsed) / MB,
    heldRssMB: (held.rss - base.rss) / MB,
    heldArrayBuffersMB: (held.arrayBuffers - base.arrayBuffers) / MB,
    heapBeforeGcMB: (beforeGc.heapUsed - base.heapUsed) / MB,
    peakHeapMB: (peakHeap - base.heapUsed) / MB,
    peakRssMB: (peakRss - base.rss) / MB,
    bufferSeconds,
    bufferCpu,
    generateCpu,
    jsonCpu,
    messageBytes: chars,
    flushSeconds: flushed.seconds,
    flushCpu: flushed.cpu,
    peakRssBeforeFlushMB: maxRssBeforeFlush / MB,
    peakRssAfterFlushMB: maxRssAfterFlush / MB,
    files: written.files,
    parquetMB: written.bytes / MB,
  };
};
