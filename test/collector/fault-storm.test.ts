import fs from 'node:fs';
import path from 'node:path';
import { sourceCollectorOptions, sourceProfile } from '../../lib/exchanges/registry';
import { uploadBronze } from '../../lib/bronze/bronze-writer';
import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { BronzeUploader } from '../../lib/collector/bronze-uploader';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { FaultPlan, generateTradeRows, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { tmpDir } from '../helpers/sample-rows';
import { startRestartableS3, type RestartableS3 } from '../helpers/s3-outage';

/**
 * The collector against the simulator and a real S3 API through a scripted storm (issue: "no loss"): dropped
 * connections, a serverShutdown notice, the exchange's forced disconnect, a stalled trade stream, a stalled
 * book stream, duplicated, reordered and malformed frames, the store down for a while, and a stop and restart
 * of the collector. Every trade id the simulator produced must be in Bronze, except trades inside intervals
 * the gap ledger records.
 */

const MIN = 60_000;
const START = Date.UTC(2024, 2, 1, 0, 0);
const END = START + 150 * MIN;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const RESTART_AT = START + 115 * MIN;
const OUTAGE_AT = START + 125 * MIN;

interface Gap {
  stream: string;
  start: number;
  end: number | null;
  cause: string;
}

describe('collector through a fault storm (simulator + s3rver)', () => {
  let sim: RunningSimulator;
  let s3: RestartableS3;
  let store: ObjectStore;
  const plan = new FaultPlan({
    maxSessionMs: 50 * MIN,
    events: [
      { kind: 'drop', at: START + 15 * MIN },
      { kind: 'shutdown', at: START + 30 * MIN, graceMs: 30_000 },
      { kind: 'stall', at: START + 45 * MIN, durationMs: 3 * MIN, stream: 'btcusdt@trade' },
      { kind: 'stall', at: START + 60 * MIN, durationMs: 3 * MIN, stream: 'ethusdt@depth10' },
      { kind: 'duplicate', at: START + 75 * MIN, durationMs: MIN },
      { kind: 'reorder', at: START + 90 * MIN, durationMs: MIN },
      { kind: 'malformed', at: START + 105 * MIN, count: 20 },
    ],
  });
  const spoolDir = path.join(tmpDir('storm'), 'spool');
  const snapshots: ReturnType<Collector['snapshot']>[] = [];
  const spoolStats: ReturnType<BronzeUploader['stats']>[] = [];
  let gaps: Gap[] = [];
  const tradeIds = new Map<string, Set<number>>();

  function collector(uploader: BronzeUploader): Collector {
    const profile = sourceProfile('sim');
    return new Collector({
      ...sourceCollectorOptions(profile, SYMBOLS, sim.wsBaseUrl, sim.restBaseUrl),
      // One connection per symbol, so a fault on one leaves the other delivering (and time running).
      connections: profile.connections(sim.wsBaseUrl, SYMBOLS, 6),
      store,
      clock: new EventClock(sim.clock),
      maxConnectionAgeMs: 40 * MIN,
      backoff: { initialMs: 50, maxMs: 500, factor: 2 },
      write: (parts) => uploadBronze(uploader, parts),
      stateFile: path.join(spoolDir, '..', 'state.json'),
    });
  }

  const uploaderFor = () =>
    new BronzeUploader({
      store,
      spoolDir,
      retry: { attempts: 2, initialMs: 20, maxMs: 50 },
      drainBackoff: { initialMs: 100, maxMs: 400 },
    });
  const simTimePast = async (t: number) => {
    while (sim.stats().simTime < t && !sim.stats().ended) await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(async () => {
    s3 = await startRestartableS3();
    store = s3.store('lake');
    sim = await startSimulator({ symbols: SYMBOLS, seed: 11, start: START, end: END, speed: 'max', faults: plan });
    try {
      // First run, until a stop request (SIGTERM in the container) at RESTART_AT.
      let uploader = uploaderFor();
      let c = collector(uploader);
      await c.start();
      await simTimePast(RESTART_AT);
      await c.stop();
      snapshots.push(c.snapshot());
      await uploader.flushPending(5000);
      await uploader.close();

      // Second run on the same spool; the store goes away for a while under it.
      uploader = uploaderFor();
      await uploader.recoverPending();
      c = collector(uploader);
      await c.start();
      await simTimePast(OUTAGE_AT);
      await s3.stop();
      await simTimePast(OUTAGE_AT + 6 * MIN);
      await c.flush();
      spoolStats.push(uploader.stats());
      await s3.start();
      await sim.untilEnd();
      await c.settled();
      await c.stop();
      snapshots.push(c.snapshot());
      const left = await uploader.flushPending(20_000);
      expect(left).toEqual({ pendingFiles: 0, inMemoryFiles: 0 });
      spoolStats.push(uploader.stats());
      await uploader.close();
    } finally {
      await sim.stop();
    }
    const keys = (await listAll(store, 'bronze/')).map((o) => o.key);
    const g = await readTables(
      store,
      dataset('bronze', 'gaps'),
      keys.filter((k) => k.startsWith('bronze/gaps/')),
    );
    gaps = Array.from({ length: g.length }, (_, i) => {
      const r = g.row(i);
      return {
        stream: r.stream as string,
        start: r.start_time as number,
        end: r.end_time as number | null,
        cause: r.cause as string,
      };
    });
    for (const sym of SYMBOLS) {
      const t = await readTables(
        store,
        dataset('bronze', 'trades'),
        keys.filter((k) => k.startsWith(`bronze/trades/exchange=binance/symbol=${sym}/`)),
      );
      tradeIds.set(sym, new Set(t.num('trade_id')));
    }
  }, 300_000);

  afterAll(async () => {
    await s3?.close();
  });

  it('went through every fault it was meant to', () => {
    expect(plan.counts).toMatchObject({ drops: expect.any(Number), shutdowns: 2, malformedFrames: 20 });
    expect(plan.counts.drops + plan.counts.forcedDisconnects).toBeGreaterThanOrEqual(2);
    expect(plan.counts.stalledFrames).toBeGreaterThan(0);
    expect(plan.counts.duplicatedFrames).toBeGreaterThan(0);
    expect(plan.counts.reorderedFrames).toBeGreaterThan(0);
    const [first, second] = snapshots;
    expect(first.control.serverShutdown).toBe(2);
    expect(first.reconnects).toBeGreaterThanOrEqual(3);
    // Malformed frames are counted by kind, never a crash.
    const errors = snapshots.reduce(
      (n, s) =>
        n + Object.values(s.errors).reduce((k, e) => k + e.count, 0) + Object.values(s.skipped).reduce((k, v) => k + v, 0),
      0,
    );
    expect(errors).toBeGreaterThanOrEqual(20);
    expect(second.silentStreams).toEqual({});
    expect(first.silentStreams['ethusdt@depth10@100ms']).toBeGreaterThanOrEqual(1);
  });

  it('spooled to disk while the store was down and uploaded everything when it came back', () => {
    const [during, after] = spoolStats;
    expect(during.spooled).toBeGreaterThan(0);
    expect(after.pendingFiles).toBe(0);
    expect(after.reuploaded).toBeGreaterThanOrEqual(during.spooled);
    expect(fs.readdirSync(spoolDir).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('ledgers the stalled trade stream as a sequence break and the stalled book as a silent stream', () => {
    const tradeBreaks = gaps.filter((g) => g.stream === 'btcusdt@trade' && g.cause === 'sequence_break');
    expect(tradeBreaks.length).toBeGreaterThanOrEqual(1);
    expect(tradeBreaks.some((g) => g.start < START + 46 * MIN && g.end! > START + 47 * MIN)).toBe(true);
    expect(gaps.some((g) => g.stream === 'ethusdt@depth10@100ms' && g.cause === 'silent_stream')).toBe(true);
    // The restart is ledgered for every stream, from its last event before the stop.
    expect(new Set(gaps.filter((g) => g.cause === 'restart').map((g) => g.stream)).size).toBe(12);
  });

  it.each(SYMBOLS)('%s: every trade id the simulator sent is in Bronze, or inside a ledgered gap', (sym) => {
    const expected = generateTradeRows(sym, START, END, { model: sim.model });
    const have = tradeIds.get(sym)!;
    const ledger = gaps.filter((g) => g.stream === `${sym.toLowerCase()}@trade`);
    const ids = expected.num('trade_id');
    const times = expected.num('event_time');
    let missing = 0;
    const unexplained: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (have.has(ids[i])) continue;
      missing++;
      if (!ledger.some((g) => times[i] >= g.start && (g.end === null || times[i] <= g.end))) unexplained.push(ids[i]);
    }
    expect(ids.length).toBeGreaterThan(5_000);
    expect(unexplained).toEqual([]);
    // Trades were really lost (the stall, a reconnect, the restart), so the check above meant something.
    expect(missing).toBeGreaterThan(0);
    // Nothing the simulator did not send.
    const all = new Set(ids);
    expect([...have].filter((id) => !all.has(id))).toEqual([]);
  });
});
