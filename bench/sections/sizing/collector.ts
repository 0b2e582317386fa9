import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sourceProfile } from '../../../lib/exchanges/registry';
import type { WrittenFile } from '../../../lib/bronze/bronze-writer';
import { Collector } from '../../../lib/collector/collector';
import { WallClock } from '../../../lib/collector/clock';
import { seededRandom } from '../../../lib/simulator/market/rng';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import type { Json, TaskFn } from '../../lib/types';
import { depth10Message, readCapture, type Message } from '../collector/inputs';
import { cpuNow, fullGc, timedFlush } from '../../lib/process-usage';

/**
 * How many symbols one collector holds: `symbols` copies of one liquid Binance spot symbol's real five minutes
 * (BTCUSDT, 2024-08-09 00:00–00:05, hftbacktest capture: trades and bookTicker as recorded), with what the
 * capture lacks synthesized at Binance's rates (depth10@100ms every 100 ms around the latest bookTicker, each of
 * the 1m/5m/15m kline streams every 2 s). Each copy is renamed, so the collector holds one buffer per symbol,
 * and all copies are fed in receive-time order, as one connection delivers them. Flushing is off until the five
 * minutes are in, so the held memory is what a 5-minute flush interval buffers; then one flush writes it all.
 */

const CAPTURE = 'spot_btcusdt_20240809.gz';
const SILENT = pino({ level: 'silent' });
const NEVER = 1e15;
const MB = 1e6;
const KLINE_INTERVALS = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
] as const;
const KLINE_EVERY_MS = 2000;
const DIFF_DEPTH = /"stream":"btcusdt@depth@100ms"/;
const BOOK_TICKER = /"b":"([\d.]+)".*"a":"([\d.]+)"/;
const TRADE_PRICE = /"stream":"btcusdt@trade".*"p":"([\d.]+)"/;

function kline(interval: string, stepMs: number, t: number, price: string): string {
  const open = Math.floor(t / stepMs) * stepMs;
  return (
    `{"stream":"btcusdt@kline_${interval}","data":{"e":"kline","E":${t},"s":"BTCUSDT","k":{"t":${open},"T":${open + stepMs - 1},` +
    `"s":"BTCUSDT","i":"${interval}","f":1,"L":2,"o":"${price}","c":"${price}","h":"${price}","l":"${price}","v":"1.50000000",` +
    `"n":2,"x":false,"q":"90000.00000000","V":"0.75000000","Q":"45000.00000000","B":"0"}}}`
  );
}

/**
 * One symbol's messages over `seconds` of the capture, in receive order: the recorded trades and bookTicker
 * (diff depth, which we do not subscribe to, and the REST snapshot line dropped) plus synthesized depth10 and
 * klines. Receive times are the capture's.
 */
export function liquidSymbolTimeline(seconds: number): { messages: Message[]; counts: Record<string, number> } {
  const captured = readCapture(CAPTURE);
  const start = captured[0].receiveMs;
  const end = start + seconds * 1000;
  const r = seededRandom(9);
  const out: Message[] = [];
  const counts: Record<string, number> = { trade: 0, bookTicker: 0, depth10: 0, kline: 0 };
  let bid = 0,
    spread = 1,
    updateId = 1,
    price = '';
  let nextDepth = Math.ceil(start / 100) * 100;
  let nextKline = start;
  for (const m of captured) {
    if (m.receiveMs >= end) break;
    if (!m.raw.startsWith('{"stream"') || DIFF_DEPTH.test(m.raw)) continue;
    while (bid > 0 && nextDepth <= m.receiveMs) {
      out.push({ receiveMs: nextDepth, raw: depth10Message('btcusdt@depth10@100ms', updateId++, bid, spread, r) });
      counts.depth10++;
      nextDepth += 100;
    }
    while (price && nextKline <= m.receiveMs) {
      for (const [interval, step] of KLINE_INTERVALS)
        out.push({ receiveMs: nextKline, raw: kline(interval, step, nextKline, price) });
      counts.kline += KLINE_INTERVALS.length;
      nextKline += KLINE_EVERY_MS;
    }
    const trade = TRADE_PRICE.exec(m.raw);
    if (trade) {
      price = trade[1];
      counts.trade++;
    } else if (m.raw.includes('@bookTicker"')) {
      const bt = BOOK_TICKER.exec(m.raw);
      if (bt) {
        bid = Math.round(Number(bt[1]) * 100);
        spread = Math.max(1, Math.round(Number(bt[2]) * 100) - bid);
      }
      counts.bookTicker++;
    }
    out.push(m);
  }
  return { messages: out, counts };
}

/** Symbol names that the capture's text can be renamed to: same length as btcusdt, a quote asset the adapter knows. */
const symbolName = (i: number) => `x${String(i).padStart(3, '0')}usdt`;

export interface CollectorHold {
  symbols: number;
  seconds: number;
  messages: number;
  perSymbol: Record<string, number>;
  rowsBuffered: number;
  rowsByDataset: Record<string, number>;
  generateCpu: number;
  bufferCpu: number;
  baseRssMB: number;
  heldHeapMB: number;
  heldArrayBuffersMB: number;
  heldRssMB: number;
  peakRssBufferingMB: number;
  flushSeconds: number;
  flushCpu: number;
  files: number;
  parquetMB: number;
  peakRssBeforeFlushMB: number;
  peakRssAfterFlushMB: number;
  [k: string]: Json;
}

/**
 * args: { symbols, seconds, workDir } → the CPU of buffering `symbols` liquid symbols for `seconds`, the memory
 * that buffer holds, and the time and peak memory of flushing it.
 */
export const collectorHold: TaskFn = async (args, probe) => {
  const { symbols, seconds, workDir } = args as { symbols: number; seconds: number; workDir: string };
  const { messages, counts } = liquidSymbolTimeline(seconds);
  const names = Array.from({ length: symbols }, (_, i) => [symbolName(i), symbolName(i).toUpperCase()] as const);
  const storeRoot = mkdtempSync(path.join(workDir ?? os.tmpdir(), 'lake-hold-'));
  const store = new LocalObjectStore(storeRoot);
  const spot = sourceProfile('binance');
  // The collector's clock follows the replay, so its silence checks see the capture's pace, not this machine's.
  let replayNow = messages[0]?.receiveMs ?? 0;
  const collector = (onFlush?: (f: WrittenFile[]) => void) =>
    new Collector({
      exchange: spot.exchange,
      adapter: spot.adapter,
      url: 'ws://127.0.0.1:1/unused',
      store,
      flushIntervalMs: NEVER,
      contiguousTradeIds: true,
      log: SILENT,
      onFlush,
      clock: new WallClock(() => replayNow),
    });
  const rename = (raw: string, i: number) => raw.replaceAll('btcusdt', names[i][0]).replaceAll('BTCUSDT', names[i][1]);

  // Warm the parse and buffer paths on a throwaway collector, so the baseline holds the compiled code.
  {
    const warm = collector();
    for (let k = 0; k < Math.min(20_000, messages.length); k++) {
      replayNow = messages[k].receiveMs;
      warm.onMessage(rename(messages[k].raw, 999 % symbols), replayNow);
    }
  }
  // Renaming the copies is input generation, not collector work: time it alone, to subtract.
  const g0 = cpuNow();
  let chars = 0;
  for (const m of messages) for (let i = 0; i < symbols; i++) chars += rename(m.raw, i).length;
  const generateCpu = cpuNow() - g0;
  fullGc();
  const base = process.memoryUsage();
  const written: WrittenFile[] = [];
  const c = collector((f) => written.push(...f));
  probe.ready();
  let peakRss = base.rss;
  let n = 0;
  const b0 = cpuNow();
  for (const m of messages) {
    replayNow = m.receiveMs;
    for (let i = 0; i < symbols; i++) {
      c.onMessage(rename(m.raw, i), m.receiveMs);
      if (++n % 5000 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }
  const bufferCpu = cpuNow() - b0;
  const rowsBuffered = c.buffers.bufferedRows;
  fullGc();
  const held = process.memoryUsage();
  const { maxRssBeforeFlush, maxRssAfterFlush, ...flushed } = await timedFlush(probe, c);
  rmSync(storeRoot, { recursive: true, force: true });
  const rowsByDataset: Record<string, number> = {};
  for (const f of written) {
    const ds = /^bronze\/([^/]+)\//.exec(f.key)?.[1] ?? '?';
    rowsByDataset[ds] = (rowsByDataset[ds] ?? 0) + f.rows;
  }
  const out: CollectorHold = {
    symbols,
    seconds,
    messages: n,
    perSymbol: counts,
    rowsBuffered,
    rowsByDataset,
    generateCpu: chars > 0 ? generateCpu : 0,
    bufferCpu,
    baseRssMB: base.rss / MB,
    heldHeapMB: (held.heapUsed - base.heapUsed) / MB,
    heldArrayBuffersMB: (held.arrayBuffers - base.arrayBuffers) / MB,
    heldRssMB: (held.rss - base.rss) / MB,
    peakRssBufferingMB: (peakRss - base.rss) / MB,
    flushSeconds: flushed.seconds,
    flushCpu: flushed.cpu,
    files: written.length,
    parquetMB: written.reduce((a, f) => a + f.bytes, 0) / MB,
    peakRssBeforeFlushMB: maxRssBeforeFlush / MB,
    peakRssAfterFlushMB: maxRssAfterFlush / MB,
  };
  return out;
};
