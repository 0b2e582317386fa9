import path from 'node:path';
import { sourceProfile } from '../../lib/exchanges/registry';
import { CollectorService, restBaseFor } from '../../lib/collector/service';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { UserError } from '../../lib/util/errors';
import { tmpDir } from '../helpers/sample-rows';

const START = Date.UTC(2024, 4, 1, 10, 0);

/** A real lake folder whose writes fail (or never finish) on demand: S3 being down, or hanging. */
class UnreliableStore extends LocalObjectStore {
  failuresLeft = 0;
  hang = false;
  puts = 0;

  private async gate(): Promise<void> {
    this.puts++;
    if (this.hang) await new Promise<never>(() => {});
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('503 Slow Down');
    }
  }

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.gate();
    return super.put(key, body);
  }

  override async putFile(key: string, file: string): Promise<void> {
    await this.gate();
    return super.putFile(key, file);
  }
}

/** Once the simulator has reached its end, everything it sent has been read: no clock involved. */
async function readEverything(service: CollectorService, sim: RunningSimulator): Promise<void> {
  await sim.untilEnd();
  await service.received(sim.stats().messagesSent);
}

async function tradeIds(store: ObjectStore, exchange: string, symbol: string): Promise<number[]> {
  const keys = (await listAll(store, 'bronze/trades/'))
    .map((o) => o.key)
    .filter((k) => k.includes(`exchange=${exchange}/symbol=${symbol}/`));
  return Array.from((await readTables(store, dataset('bronze', 'trades'), keys)).num('trade_id')).sort((a, b) => a - b);
}

describe('collector service', () => {
  it('runs one collector per source into one lake and flushes all of them on stop', async () => {
    // Starting now, not in the past: the binanceus collector runs on the wall clock (only 'sim' sources run on event
    // time), and simulated hours long gone would look like streams silent for years, rolled over with duplicates.
    const start = Date.now();
    const sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], seed: 5, start, end: start + 3 * 60_000, speed: 'max' });
    const store = new LocalObjectStore(tmpDir('service'));
    const service = new CollectorService(
      {
        sources: [
          { source: 'sim', symbols: ['BTCUSDT', 'ETHUSDT'], endpoint: sim.wsBaseUrl },
          { source: 'binanceus', symbols: ['BTCUSDT'], endpoint: sim.wsBaseUrl },
        ],
        flushIntervalMs: 60_000,
      },
      store,
    );
    try {
      await service.start();
      await readEverything(service, sim);
    } finally {
      await sim.stop();
    }
    const result = await service.stop();
    const snap = service.snapshot();
    const rows = snap.reduce((n, s) => n + s.collector.rowsWritten, 0);
    expect(result).toEqual({
      complete: true,
      unwrittenRows: 0,
      spooledFiles: 0,
      timedOut: false,
      writtenRows: rows,
      spooledRows: 0,
      lostRows: 0,
    });
    expect(snap.map((s) => [s.source, s.exchange, s.symbols])).toEqual([
      ['sim', 'binance', ['BTCUSDT', 'ETHUSDT']],
      ['binanceus', 'binanceus', ['BTCUSDT']],
    ]);
    for (const s of snap) expect(s.collector).toMatchObject({ bufferedRows: 0, flushFailures: 0, errors: {} });
    // Each collector files its own symbols under its own exchange (file counts depend on timing, symbols do not).
    const symbolsFiled = async (ex: string) =>
      [...new Set((await listAll(store, `bronze/trades/exchange=${ex}/`)).map((o) => /symbol=([^/]+)/.exec(o.key)![1]))].sort();
    expect(await symbolsFiled('binance')).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(await symbolsFiled('binanceus')).toEqual(['BTCUSDT']);
    expect(snap.every((s) => s.collector.filesWritten > 0)).toBe(true);
    // Both collectors read the same simulated market: the same trades, filed under their own exchange (the
    // second connection may open a moment after the first and miss the very first trades).
    const [binance, us] = [await tradeIds(store, 'binance', 'BTCUSDT'), await tradeIds(store, 'binanceus', 'BTCUSDT')];
    expect(us.length).toBeGreaterThan(100);
    expect(binance.slice(-us.length)).toEqual(us);
    expect((await tradeIds(store, 'binance', 'ETHUSDT')).length).toBeGreaterThan(100);
  });

  it('retries failed writes during stop until they succeed', async () => {
    const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 6, start: START, end: START + 60_000, speed: 'max' });
    const store = new UnreliableStore(tmpDir('service-flaky'));
    // No flush before stop (hour-long interval), so every row is written by stop() itself.
    const service = new CollectorService(
      { sources: [{ source: 'sim', symbols: ['BTCUSDT'], endpoint: sim.wsBaseUrl }], flushIntervalMs: 3_600_000 },
      store,
    );
    try {
      await service.start();
      await readEverything(service, sim);
    } finally {
      await sim.stop();
    }
    const buffered = service.snapshot()[0].collector.bufferedRows;
    expect(buffered).toBeGreaterThan(0);
    store.failuresLeft = 3;
    const result = await service.stop();
    expect(result).toEqual({
      complete: true,
      unwrittenRows: 0,
      spooledFiles: 0,
      timedOut: false,
      writtenRows: buffered,
      spooledRows: 0,
      lostRows: 0,
    });
    const c = service.snapshot()[0].collector;
    expect(c).toMatchObject({ flushFailures: 3, bufferedRows: 0, rowsWritten: buffered });
    expect((await tradeIds(store, 'binance', 'BTCUSDT')).length).toBeGreaterThan(30);
  });

  it('gives up at its deadline when the store hangs, and says so', async () => {
    const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 7, start: START, speed: 'max' });
    const store = new UnreliableStore(tmpDir('service-hang'));
    store.hang = true;
    const service = new CollectorService(
      { sources: [{ source: 'sim', symbols: ['BTCUSDT'], endpoint: sim.wsBaseUrl }], flushIntervalMs: 3_600_000 },
      store,
    );
    try {
      await service.start();
      await service.received(1);
      const buffered = service.snapshot()[0].collector.bufferedRows;
      expect(buffered).toBeGreaterThan(0);
      const t = Date.now();
      const stopping = service.stop(1500);
      expect(service.stop()).toBe(stopping);
      // The write never finished: the rows it held are still in the collector's buffers, gone at exit.
      expect(await stopping).toEqual({
        complete: false,
        unwrittenRows: 0,
        spooledFiles: 0,
        timedOut: true,
        writtenRows: 0,
        spooledRows: 0,
        lostRows: expect.any(Number),
      });
      expect((await stopping).lostRows).toBeGreaterThanOrEqual(buffered);
      expect(Date.now() - t).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - t).toBeLessThan(4000);
      expect(store.puts).toBeGreaterThan(0);
    } finally {
      await sim.stop();
    }
  });

  it('counts the rows it leaves in the spool when the store stays down, and the next start uploads them', async () => {
    const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 9, start: START, end: START + 60_000, speed: 'max' });
    const store = new UnreliableStore(tmpDir('service-spool'));
    const config = {
      sources: [{ source: 'sim' as const, symbols: ['BTCUSDT'], endpoint: sim.wsBaseUrl }],
      flushIntervalMs: 3_600_000,
      spoolDir: path.join(tmpDir('spool'), 'spool'),
      spoolDrainOnStopMs: 0,
    };
    const first = new CollectorService(config, store);
    try {
      await first.start();
      await readEverything(first, sim);
    } finally {
      await sim.stop();
    }
    store.failuresLeft = Infinity;
    const down = await first.stop();
    const received = first.snapshot()[0].collector.rowsWritten;
    expect(received).toBeGreaterThan(0);
    expect(down).toMatchObject({
      complete: false,
      timedOut: false,
      writtenRows: 0,
      spooledRows: received,
      lostRows: 0,
      unwrittenRows: 0,
    });
    expect(down.spooledFiles).toBeGreaterThan(0);

    store.failuresLeft = 0;
    const second = new CollectorService(config, store);
    void second.start();
    // Nothing to collect (the simulator is gone); stop() still waits for the earlier spool's upload.
    expect(await second.stop()).toMatchObject({ complete: true, spooledFiles: 0 });
    expect((await tradeIds(store, 'binance', 'BTCUSDT')).length).toBeGreaterThan(30);
  }, 30_000);

  it('sends REST where the WebSocket goes unless told otherwise: never to the real exchange by accident', () => {
    const futures = sourceProfile('binance-futures');
    expect(restBaseFor({}, futures)).toBe('https://fapi.binance.com');
    expect(restBaseFor({ endpoint: 'ws://127.0.0.1:9000/stream' }, futures)).toBe('http://127.0.0.1:9000');
    expect(restBaseFor({ endpoint: 'wss://relay.example:9443' }, futures)).toBe('https://relay.example:9443');
    expect(restBaseFor({ endpoint: 'ws://127.0.0.1:9000', restEndpoint: 'http://127.0.0.1:9001/' }, futures)).toBe(
      'http://127.0.0.1:9001',
    );
  }, 5_000);

  it('rejects configurations no collector can run', () => {
    const store = new LocalObjectStore(tmpDir('service-config'));
    const make = (sources: ConstructorParameters<typeof CollectorService>[0]['sources']) => () =>
      new CollectorService({ sources }, store);
    expect(make([])).toThrow(new UserError('no source configured'));
    expect(make([{ source: 'binance', symbols: [] }])).toThrow("source 'binance' has no symbols");
    expect(make([{ source: 'bitmex' as never, symbols: ['XBTUSD'] }])).toThrow("source 'bitmex' is not supported");
    expect(make([{ source: 'sim', symbols: ['BTCUSDT'] }])).toThrow("source 'sim' needs an endpoint");
    expect(
      make([
        { source: 'binance', symbols: ['BTCUSDT'] },
        { source: 'sim', symbols: ['BTCUSDT'], endpoint: 'ws://127.0.0.1:1' },
      ]),
    ).toThrow("sources 'binance' and 'sim' both file rows under exchange 'binance'");
  });
});
