import { spawn } from 'node:child_process';
import path from 'node:path';
import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { sourceProfile } from '../../lib/exchanges/registry';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startSimulator } from '../../lib/simulator';
import { parsePartitionKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { tmpDir } from '../helpers/sample-rows';
import { collectSimulatedRun } from '../helpers/sim-collect';

const START = Date.UTC(2024, 4, 1, 23, 50); // ten minutes before midnight: the run crosses a day and an hour
const END = START + 25 * 60_000;

describe('collector → Bronze against the simulator', () => {
  const store = new LocalObjectStore(tmpDir('collector'));
  const flushes: number[] = [];
  let keys: string[] = [];

  beforeAll(async () => {
    const sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], seed: 3, start: START, end: END, speed: 'max' });
    const profile = sourceProfile('sim');
    const collector = await collectSimulatedRun(
      sim,
      () =>
        new Collector({
          exchange: 'binance',
          adapter: profile.adapter,
          connections: profile.connections(sim.wsBaseUrl, ['BTCUSDT', 'ETHUSDT']),
          store,
          clock: new EventClock(sim.clock),
          onFlush: (files) => flushes.push(files.length),
        }),
    );
    expect(collector.snapshot()).toMatchObject({ errors: {}, flushFailures: 0, bufferedRows: 0 });
    keys = (await listAll(store, 'bronze/')).map((o) => o.key);
  });

  it('files every dataset per exchange/symbol/dt/hour by event time', () => {
    const partitions = new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/'))));
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      for (const p of [
        `bronze/trades/exchange=binance/symbol=${sym}/dt=2024-05-01/hour=23`,
        `bronze/trades/exchange=binance/symbol=${sym}/dt=2024-05-02/hour=00`,
        `bronze/book_top10/exchange=binance/symbol=${sym}/dt=2024-05-02/hour=00`,
        `bronze/quotes/exchange=binance/symbol=${sym}/dt=2024-05-01/hour=23`,
        `bronze/klines/timeframe=1m/exchange=binance/symbol=${sym}/dt=2024-05-01/hour=23`,
        `bronze/klines/timeframe=5m/exchange=binance/symbol=${sym}/dt=2024-05-02/hour=00`,
        `bronze/klines/timeframe=15m/exchange=binance/symbol=${sym}/dt=2024-05-02/hour=00`,
      ])
        expect(partitions).toContain(p);
    }
  });

  it('flushes every 5 minutes of event time (hour boundaries included) and once more on stop', async () => {
    // 25 simulated minutes from 23:50 cross the 5-minute boundaries 23:55, 00:00, 00:05, 00:10 (and 00:15 at the end).
    expect(flushes.length).toBeGreaterThanOrEqual(5);
    expect(flushes.length).toBeLessThanOrEqual(6);
    const tradeFiles = keys.filter((k) => k.startsWith('bronze/trades/') && k.includes('symbol=BTCUSDT'));
    expect(tradeFiles.length).toBe(flushes.length);
    // Every file holds rows of its own hour only, and starts where its name says.
    const spec = dataset('bronze', 'trades');
    for (const k of tradeFiles) {
      const t = await readTables(store, spec, [k]);
      const times = t.num('event_time');
      const { dt, hour } = parsePartitionKey(k);
      for (const ms of times) expect([new Date(ms).toISOString().slice(0, 10), new Date(ms).getUTCHours()]).toEqual([dt, hour]);
      const start = new Date(Math.min(...times))
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      expect(k).toContain(`/part-${start}-`);
    }
  });

  it('loses no trade: ids are contiguous across files, hours and the day boundary', async () => {
    const spec = dataset('bronze', 'trades');
    const t = await readTables(
      store,
      spec,
      keys.filter((k) => k.startsWith('bronze/trades/') && k.includes('symbol=ETHUSDT')),
    );
    const ids = Array.from(t.num('trade_id')).sort((a, b) => a - b);
    expect(ids.length).toBeGreaterThan(1000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[ids.length - 1] - ids[0] + 1).toBe(ids.length);
    expect(Math.min(...t.num('event_time'))).toBeGreaterThanOrEqual(START);
    expect(Math.max(...t.num('event_time'))).toBeLessThan(END);
  });

  it('stamps book snapshots (no exchange time) within 100 ms of the simulated time they describe', async () => {
    const book = await readTables(
      store,
      dataset('bronze', 'book_top10'),
      keys.filter((x) => x.startsWith('bronze/book_top10/') && x.includes('symbol=BTCUSDT')),
    );
    const t = Array.from(book.num('event_time')).sort((a, b) => a - b);
    // One snapshot per 100 ms of simulated time: as many as the window holds, none after it.
    expect(t.length).toBeGreaterThan((0.95 * (END - START)) / 100);
    expect(t[0]).toBeGreaterThanOrEqual(START);
    expect(t[t.length - 1]).toBeLessThanOrEqual(END);
  });

  it('records closed 1m klines equal to the OHLCV of their trades', async () => {
    const k = await readTables(
      store,
      dataset('bronze', 'klines'),
      keys.filter((x) => x.includes('timeframe=1m') && x.includes('symbol=BTCUSDT')),
    );
    const tr = await readTables(
      store,
      dataset('bronze', 'trades'),
      keys.filter((x) => x.startsWith('bronze/trades/') && x.includes('symbol=BTCUSDT')),
    );
    const closed = k.rows().filter((r) => r.is_closed);
    expect(closed.length).toBe(25);
    const trades = tr.rows();
    for (const bar of closed) {
      const inBar = trades.filter(
        (x) => (x.event_time as number) >= (bar.open_time as number) && (x.event_time as number) <= (bar.close_time as number),
      );
      expect(bar.trade_count).toBe(inBar.length);
      expect(bar.high).toBe(Math.max(...inBar.map((x) => x.price as number)));
      expect(bar.low).toBe(Math.min(...inBar.map((x) => x.price as number)));
    }
  });
});

describe('lakehouse collect --source sim', () => {
  it('flushes what it buffered and exits 0 on SIGTERM', async () => {
    const lake = tmpDir('collect-sigterm');
    const child = spawn(
      process.execPath,
      [path.resolve(__dirname, '../../bin/lakehouse.js'), 'collect', '--source', 'sim', '--symbols', 'BTCUSDT', '--lake', lake],
      {
        env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Wait until it has received data, then ask it to stop before the first 5-minute flush.
    await new Promise<void>((resolve) => {
      const i = setInterval(() => {
        if (/[1-9][\d,]* messages/.test(stderr)) {
          clearInterval(i);
          resolve();
        }
      }, 100);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.filesWritten).toBeGreaterThan(0);
    expect(summary.bufferedRows).toBe(0);
    const files = await listAll(new LocalObjectStore(lake), 'bronze/trades/');
    expect(files.length).toBeGreaterThan(0);
  });
});
