import { sourceCollectorOptions, sourceProfile } from '../../lib/exchanges/registry';
import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import type { BronzeDatasetName } from '../../lib/exchanges/types';
import { FaultPlan, startSimulator, type FaultHooks, type RunningSimulator } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { tmpDir } from '../helpers/sample-rows';
import { collectSimulatedRun, collectUntilEnd } from '../helpers/sim-collect';

/**
 * The real collector against the simulator speaking Binance USD-M futures (routed endpoints, open interest
 * over REST through 429 and 418 answers) and Kraken v2 (subscribe messages, a corrupted book checksum).
 */

const MIN = 60_000;
const START = Date.UTC(2024, 5, 3, 10, 0);

async function collectFromSim(
  sim: RunningSimulator,
  source: 'binance-futures' | 'kraken',
  symbols: string[],
  store: LocalObjectStore,
  extra: { openInterestPollMs?: number } = {},
) {
  const profile = sourceProfile(source, extra);
  const collector = new Collector({
    ...sourceCollectorOptions(profile, symbols, sim.wsBaseUrl + (source === 'kraken' ? '/v2' : ''), sim.restBaseUrl),
    store,
    clock: new EventClock(sim.clock),
    restBanPauseMs: 200,
  });
  await collectUntilEnd(sim, collector);
  return collector;
}

async function bronze(store: LocalObjectStore, name: BronzeDatasetName, exchange: string, symbol: string) {
  const prefix = name === 'klines' ? 'bronze/klines/timeframe=1m/' : `bronze/${name}/`;
  const keys = (await listAll(store, prefix))
    .map((o) => o.key)
    .filter((k) => k.includes(`exchange=${exchange}/symbol=${symbol}/`));
  return readTables(store, dataset('bronze', name), keys);
}

describe('collector on the Binance USD-M futures simulator', () => {
  const store = new LocalObjectStore(tmpDir('futures-collect'));
  const END = START + 30 * MIN;
  const plan = new FaultPlan({
    events: [
      { kind: 'rest', at: START + 8 * MIN, durationMs: 3 * MIN, status: 429, retryAfterS: 1 },
      { kind: 'rest', at: START + 17 * MIN, durationMs: 3 * MIN, status: 418, retryAfterS: 1 },
    ],
  });
  let collector: Collector;

  beforeAll(async () => {
    const sim = await startSimulator({
      protocol: 'binance-futures',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      seed: 5,
      start: START,
      end: END,
      speed: 'max',
      faults: plan,
    });
    try {
      collector = await collectFromSim(sim, 'binance-futures', ['BTCUSDT', 'ETHUSDT'], store, { openInterestPollMs: MIN });
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('files every futures dataset, funding once a second, from the routed endpoints', async () => {
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const funding = await bronze(store, 'funding', 'binance-futures', sym);
      expect(funding.length).toBeGreaterThanOrEqual(29 * 60);
      expect(funding.length).toBeLessThanOrEqual(30 * 60 + 5);
      for (const ds of ['trades', 'book_top10', 'quotes', 'klines', 'liquidations'] as const)
        expect((await bronze(store, ds, 'binance-futures', sym)).length).toBeGreaterThan(0);
      const trades = await bronze(store, 'trades', 'binance-futures', sym);
      const ids = Array.from(new Set(trades.num('trade_id'))).sort((a, b) => a - b);
      expect(ids[ids.length - 1] - ids[0] + 1).toBe(ids.length);
    }
    const s = collector.snapshot();
    expect(s.errors).toEqual({});
    expect(s.silentStreams).toEqual({});
  });

  it('polls open interest on its own timer and ledgers the readings the exchange refused (429, 418)', async () => {
    // The poller runs on the collector's clock (simulated event time), and so do the exchange's Retry-After and
    // ban pauses: one reading per simulated minute 0..30, except the minutes inside the refusal windows.
    const [poller] = collector.pollers;
    expect(poller.stats).toMatchObject({ refused429: 3, refused418: 3, failures: 0, readings: 2 * 25 });
    // BTCUSDT is asked first; ETHUSDT's turn in a refused round falls inside the pause and is never sent.
    expect(poller.stats.requests).toBe(2 * 25 + 6);
    const minutes = [...range(0, 8), ...range(11, 17), ...range(20, 31)];
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const oi = await bronze(store, 'open_interest', 'binance-futures', sym);
      const times = Array.from(oi.num('event_time')).sort((a, b) => a - b);
      expect(times.map((t) => Math.floor((t - START) / MIN))).toEqual(minutes);
      const gaps = await bronze(store, 'gaps', 'binance-futures', sym);
      const refused = Array.from({ length: gaps.length }, (_, i) => gaps.row(i)).filter(
        (g) => g.stream === `rest:${sym.toLowerCase()}@openInterest`,
      );
      // One interruption per refusal window, from the last reading before it to the first one after it.
      expect(refused.map((g) => [g.cause, g.start_time, g.end_time])).toEqual([
        ['rest_refused', times[7], times[8]],
        ['rest_refused', times[13], times[14]],
      ]);
    }
  });
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('collector on the Kraken v2 simulator', () => {
  const store = new LocalObjectStore(tmpDir('kraken-collect'));
  const END = START + 20 * MIN;
  let corrupted = 0;
  // One book update with a wrong checksum, as a dropped or garbled update would leave the client's book.
  const faults: FaultHooks = {
    wsFrame: (frame, ctx) => {
      if (corrupted === 0 && ctx.simTime >= START + 10 * MIN && frame.startsWith('{"channel":"book","type":"update"')) {
        corrupted++;
        return [frame.replace(/"checksum":(\d+)/, (_, c: string) => `"checksum":${(Number(c) + 1) >>> 0}`)];
      }
      return [frame];
    },
  };
  let collector: Collector;

  beforeAll(async () => {
    const sim = await startSimulator({
      protocol: 'kraken',
      symbols: ['BTCUSDT'],
      seed: 9,
      start: START,
      end: END,
      speed: 'max',
      faults,
    });
    try {
      collector = await collectFromSim(sim, 'kraken', ['BTC/USDT'], store);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('subscribes by message and files klines, trades, book and quotes', async () => {
    for (const ds of ['klines', 'trades', 'book_top10', 'quotes'] as const)
      expect((await bronze(store, ds, 'kraken', 'BTC-USDT')).length).toBeGreaterThan(0);
    expect(collector.snapshot().errors).toEqual({});
  });

  it('a failed book checksum resubscribes that book, which resumes, and the interruption is in the gap ledger', async () => {
    expect(corrupted).toBe(1);
    expect(collector.snapshot().control.resync).toBe(1);
    const gaps = await bronze(store, 'gaps', 'kraken', 'BTC-USDT');
    const rows = Array.from({ length: gaps.length }, (_, i) => gaps.row(i));
    expect(rows.map((g) => g.cause)).toEqual(['checksum']);
    const gap = rows[0];
    expect(gap.end_time).not.toBeNull();
    const book = await bronze(store, 'book_top10', 'kraken', 'BTC-USDT');
    expect(Math.max(...book.num('event_time'))).toBeGreaterThan(START + 19 * MIN);
  });
});

describe('collector on the un-routed futures endpoint (the trap that silences /market streams)', () => {
  it('counts the subscribed-but-silent stream, ledgers it and reconnects, while the /public stream flows', async () => {
    const store = new LocalObjectStore(tmpDir('futures-trap'));
    const end = START + 5 * MIN;
    const sim = await startSimulator({
      protocol: 'binance-futures',
      symbols: ['BTCUSDT'],
      seed: 5,
      start: START,
      end,
      speed: 'max',
    });
    const streams = [
      { name: 'btcusdt@depth10@100ms', symbol: 'BTCUSDT', dataset: 'book_top10' as const },
      { name: 'btcusdt@markPrice@1s', symbol: 'BTCUSDT', dataset: 'funding' as const },
    ];
    const collector = await collectSimulatedRun(
      sim,
      () =>
        new Collector({
          ...sourceCollectorOptions(sourceProfile('binance-futures'), ['BTCUSDT'], sim.wsBaseUrl, sim.restBaseUrl),
          polls: [],
          connections: [{ url: `${sim.wsBaseUrl}/stream?streams=${streams.map((s) => s.name).join('/')}`, streams }],
          store,
          clock: new EventClock(sim.clock),
        }),
    );
    const s = collector.snapshot();
    expect(s.silentStreams['btcusdt@markPrice@1s']).toBeGreaterThanOrEqual(2);
    expect(s.silentStreams['btcusdt@depth10@100ms']).toBeUndefined();
    expect(s.reconnects).toBeGreaterThanOrEqual(2);
    const gaps = await bronze(store, 'gaps', 'binance-futures', 'BTCUSDT');
    const rows = Array.from({ length: gaps.length }, (_, i) => gaps.row(i));
    expect(rows.some((g) => g.stream === 'btcusdt@markPrice@1s' && g.cause === 'silent_stream')).toBe(true);
    expect((await bronze(store, 'book_top10', 'binance-futures', 'BTCUSDT')).length).toBeGreaterThan(2000);
    expect((await bronze(store, 'funding', 'binance-futures', 'BTCUSDT')).length).toBe(0);
  }, 60_000);
});
