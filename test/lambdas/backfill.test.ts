import { healTargetsFromEnv, healWindow } from '../../lib/app/self-heal';
import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { writeBronze } from '../../lib/bronze/bronze-writer';
import {
  BINANCE_FUTURES_REST_BASE,
  BINANCE_FUTURES_REST_KLINES,
  BINANCE_SPOT_REST_KLINES,
  BINANCE_US_REST_BASE,
} from '../../lib/exchanges/binance';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { Metric } from '../../lib/monitoring/metrics';
import { readTable, readTables } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import { runSilver } from '../../lib/silver/silver-job';
import { generateTradeRows, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { partitionFileKey } from '../../lib/storage/lake-paths';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { UserError } from '../../lib/util/errors';
import { handler as backfill } from '../../lambdas/backfill';
import { kline } from '../helpers/klines';
import type { LocalS3 } from '../helpers/s3rver';
import { captureStdout, emfLines, scheduledEvent, useLake } from './helpers';
import { startS3 } from '../helpers/s3rver';

const MIN = 60_000;
const at = (hhmm: string) => Date.parse(`2024-05-06T${hhmm}:00Z`);
const iso = (hhmm: string) => new Date(at(hhmm)).toISOString();
const KLINES = dataset('bronze', 'klines');
const PREFIX = 'bronze/klines/timeframe=1m/exchange=binance/';
/** The hourly schedule fired at 12:07:30: the window is 09:07 up to (not including) 12:05. */
const FIRED = scheduledEvent('2024-05-06T12:07:30Z');

function minutes(from: string, to: string): number[] {
  const out: number[] = [];
  for (let t = at(from); t < at(to); t += MIN) out.push(t);
  return out;
}

/** Drops the rows whose open time is in `drop` from a Bronze file, as if they had never been received. */
async function dropRows(store: ObjectStore, key: string, drop: readonly number[]): Promise<void> {
  const t = await readTable(store, KLINES, key);
  const open = t.num('open_time');
  const keep = Array.from({ length: t.length }, (_, i) => i).filter((i) => !drop.includes(open[i]));
  await putTable(store, key, t.take(keep));
}

async function openTimes(store: ObjectStore, keys: readonly string[]): Promise<number[]> {
  return Array.from((await readTables(store, KLINES, keys)).num('open_time')).sort((a, b) => a - b);
}

describe('healWindow', () => {
  it('leaves out the open minute, the two before it, and whatever the collector has not flushed yet', () => {
    // 12:07:30: closed and settled up to 12:04; the 12:05 flush has landed.
    expect(healWindow(at('12:07') + 30_000, 3)).toEqual({ from: at('09:07'), to: at('12:05') });
    // 12:00:20: the 12:00 flush may still be in flight, so 11:55-11:57 wait for the next run.
    expect(healWindow(at('12:00') + 20_000, 1)).toEqual({ from: at('11:00'), to: at('11:55') });
    // 12:09:59: the next flush is at 12:10, so 12:05-12:06 are still in the collector's memory.
    expect(healWindow(at('12:09') + 59_000, 2)).toEqual({ from: at('10:09'), to: at('12:05') });
    // A collector flushing every minute lets the window reach the two-minute settling margin.
    expect(healWindow(at('12:09') + 59_000, 2, 60_000)).toEqual({ from: at('10:09'), to: at('12:07') });
  });
});

describe('healTargetsFromEnv', () => {
  it("also reads the collector's SOURCES (source, endpoint), and applies REST base overrides", () => {
    const env = {
      SOURCES: JSON.stringify([
        { source: 'sim', symbols: ['btcusdt', 'BTCUSDT'], endpoint: 'ws://127.0.0.1:1' },
        { exchange: 'binanceus', symbols: ['ETHUSD'] },
        { source: 'binance-futures', symbols: ['ETHUSDT'] },
      ]),
      REST_BASE_BINANCE: 'http://127.0.0.1:2',
    };
    expect(healTargetsFromEnv(env)).toEqual([
      {
        exchange: 'binance',
        symbols: ['BTCUSDT'],
        restBase: 'http://127.0.0.1:2',
        dialect: BINANCE_SPOT_REST_KLINES,
        trades: true,
      },
      {
        exchange: 'binanceus',
        symbols: ['ETHUSD'],
        restBase: BINANCE_US_REST_BASE,
        dialect: BINANCE_SPOT_REST_KLINES,
        trades: true,
      },
      {
        exchange: 'binance-futures',
        symbols: ['ETHUSDT'],
        restBase: BINANCE_FUTURES_REST_BASE,
        dialect: BINANCE_FUTURES_REST_KLINES,
        trades: false,
      },
    ]);
    // USD-M futures pages 1,500 rows a call at /fapi/v1/klines; spot 1,000 at /api/v3/klines.
    expect(
      BINANCE_FUTURES_REST_KLINES.url('http://h/', {
        symbol: 'ethusdt',
        interval: '1m',
        startTime: 0,
        limit: BINANCE_FUTURES_REST_KLINES.maxLimit,
      }),
    ).toBe('http://h/fapi/v1/klines?symbol=ETHUSDT&interval=1m&startTime=0&limit=1500');
    expect(BINANCE_SPOT_REST_KLINES.maxLimit).toBe(1000);
  });
});

/**
 * Bronze 1m klines 08:00-12:07 from the simulator's REST API in s3rver, then holes: BTCUSDT loses its whole
 * 10:00 file, rows 09:00-09:10 (the window starts at 09:07), 11:20-11:24, 11:40 and 12:05-12:06 (after the
 * window); ETHUSDT has no Bronze at all. The handler must fetch exactly the holes inside the window.
 */
describe('backfill (self-heal) handler on s3rver', () => {
  let s3: LocalS3;
  let store: ObjectStore;
  let sim: RunningSimulator;
  let before: string[];
  const btcMissing = [...minutes('09:07', '09:11'), ...minutes('10:00', '11:00'), ...minutes('11:20', '11:25'), at('11:40')];

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.store('bf');
    useLake(s3, 'bf');
    sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], seed: 4, start: at('12:10'), speed: 'max', historyDays: 2 });
    process.env.SOURCES = JSON.stringify([{ exchange: 'binance', symbols: ['BTCUSDT', 'ethusdt'] }]);
    process.env.REST_BASE_BINANCE = sim.restBaseUrl;
    await backfillKlines({
      store,
      exchange: 'binance',
      symbol: 'BTCUSDT',
      from: at('08:00'),
      to: at('12:08'),
      restBase: sim.restBaseUrl,
      now: () => sim.clock.now(),
    });
    const hourFile = async (h: string) => (await listAll(store, `${PREFIX}symbol=BTCUSDT/dt=2024-05-06/hour=${h}/`))[0].key;
    await store.delete(await hourFile('10'));
    await dropRows(store, await hourFile('09'), minutes('09:00', '09:11'));
    await dropRows(store, await hourFile('11'), [...minutes('11:20', '11:25'), at('11:40')]);
    await dropRows(store, await hourFile('12'), [at('12:05'), at('12:06')]);
    before = (await listAll(store, PREFIX)).map((o) => o.key);
  });
  afterAll(async () => {
    await sim?.stop();
    await s3?.close();
  });

  it('fetches exactly the missing closed minutes of the window and emits BackfilledRows', async () => {
    const { result, lines } = await captureStdout(() => backfill(FIRED));
    expect(result.from).toBe(iso('09:07'));
    expect(result.to).toBe(iso('12:05'));
    const [btc, eth] = result.symbols;
    expect(btc).toEqual({
      exchange: 'binance',
      symbol: 'BTCUSDT',
      ledgerGaps: 0,
      missingMinutes: 70,
      rows: 70,
      calls: 4,
      files: 4,
      stillMissing: [],
      stillMissingMinutes: 0,
      tradesFetched: 0,
      tradeIdsStillMissing: 0,
      errors: [],
      ranges: [
        ['09:07', '09:11'],
        ['10:00', '11:00'],
        ['11:20', '11:25'],
        ['11:40', '11:41'],
      ].map(([from, to]) => ({ from: iso(from), to: iso(to) })),
    });
    expect(eth).toMatchObject({
      symbol: 'ETHUSDT',
      ledgerGaps: 0,
      missingMinutes: 178,
      rows: 178,
      stillMissing: [],
      errors: [],
      ranges: [{ from: iso('09:07'), to: iso('12:05') }],
    });
    expect(result.rows).toBe(248);

    // New files only (nothing rewritten or removed), holding exactly the missing minutes, all closed REST bars.
    const after = (await listAll(store, PREFIX)).map((o) => o.key);
    expect(after).toEqual(expect.arrayContaining(before));
    const added = after.filter((k) => !before.includes(k));
    expect(added.every((k) => /-rest-[0-9a-f]{16}\.parquet$/.test(k))).toBe(true);
    expect(
      await openTimes(
        store,
        added.filter((k) => k.includes('symbol=BTCUSDT')),
      ),
    ).toEqual(btcMissing);
    expect(
      await openTimes(
        store,
        added.filter((k) => k.includes('symbol=ETHUSDT')),
      ),
    ).toEqual(minutes('09:07', '12:05'));
    const fetched = await readTables(store, KLINES, added);
    expect(new Set(fetched.str('source'))).toEqual(new Set(['rest']));
    expect(fetched.bool('is_closed').every(Boolean)).toBe(true);

    const emf = emfLines(lines);
    expect(emf.map((e) => [e.doc.Symbol, e.values])).toEqual([
      ['BTCUSDT', { [Metric.BackfilledRows]: 70, [Metric.StillMissingMinutes]: 0 }],
      ['ETHUSDT', { [Metric.BackfilledRows]: 178, [Metric.StillMissingMinutes]: 0 }],
    ]);
    for (const e of emf) {
      expect(e.dimensions).toEqual([[]]);
      expect(e.units).toEqual({ [Metric.BackfilledRows]: 'Count', [Metric.StillMissingMinutes]: 'Count' });
    }
  });

  it('is idempotent: a second run finds nothing missing, calls nothing and writes nothing', async () => {
    const keys = (await listAll(store, PREFIX)).map((o) => o.key);
    // The event's hours win over SELF_HEAL_HOURS (four hours back there are still holes, see below).
    process.env.SELF_HEAL_HOURS = '4';
    const { result, lines } = await captureStdout(() => backfill({ ...FIRED, hours: 3 })).finally(() => {
      delete process.env.SELF_HEAL_HOURS;
    });
    expect(result.symbols.map((s) => [s.symbol, s.missingMinutes, s.rows, s.calls, s.ranges, s.stillMissing])).toEqual([
      ['BTCUSDT', 0, 0, 0, [], []],
      ['ETHUSDT', 0, 0, 0, [], []],
    ]);
    expect((await listAll(store, PREFIX)).map((o) => o.key)).toEqual(keys);
    expect(emfLines(lines).map((e) => e.values[Metric.BackfilledRows])).toEqual([0, 0]);
  });

  it("fails the invocation when the exchange cannot be reached, after publishing every symbol's metric", async () => {
    process.env.REST_BASE_BINANCE = 'http://127.0.0.1:9';
    process.env.SELF_HEAL_HOURS = '4';
    try {
      // Four hours reach back to 08:07: BTCUSDT's 09:00-09:06 and ETHUSDT's 08:07-09:06 are missing.
      const { result: error, lines } = await captureStdout(() =>
        backfill(FIRED).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect((error as Error).message).toBe(
        'self-heal failed for binance/BTCUSDT (fetch failed), binance/ETHUSDT (fetch failed)',
      );
      // What could not be fetched stays missing: 7 and 60 minutes.
      expect(
        emfLines(lines).map((e) => [
          e.doc.Symbol,
          e.values[Metric.BackfilledRows],
          e.values[Metric.StillMissingMinutes],
          e.doc.stillMissing,
        ]),
      ).toEqual([
        ['BTCUSDT', 0, 7, [{ from: iso('09:00'), to: iso('09:07') }]],
        ['ETHUSDT', 0, 60, [{ from: iso('08:07'), to: iso('09:07') }]],
      ]);
    } finally {
      process.env.REST_BASE_BINANCE = sim.restBaseUrl;
      delete process.env.SELF_HEAL_HOURS;
    }
  });

  it('rejects bad events and configuration with a UserError naming the field', async () => {
    const cases: [Record<string, string | undefined>, unknown, string][] = [
      [{}, { hours: 49 }, 'event.hours 49 is not a whole number from 1 to 48'],
      [{}, { hours: 1.5 }, 'event.hours 1.5 is not a whole number from 1 to 48'],
      [{}, { time: 'yesterday' }, 'event.time "yesterday" is not an ISO 8601 time'],
      [{ FLUSH_INTERVAL_SECONDS: '0' }, {}, 'FLUSH_INTERVAL_SECONDS=0 is not a whole number from 1 to 3600'],
      [{ SOURCES: undefined }, {}, 'SOURCES is not set'],
      [{ SELF_HEAL_HOURS: '72' }, {}, 'SELF_HEAL_HOURS=72 is not a whole number from 1 to 48'],
      [
        { SOURCES: '[{"exchange":"binance","symbol":["BTCUSDT"]}]' },
        {},
        'SOURCES[0] has unknown key(s) symbol (expected exchange or source, and symbols)',
      ],
      [
        { SOURCES: '[{"exchange":"binance","source":"binance","symbols":["BTCUSDT"]}]' },
        {},
        'SOURCES[0] must name either an exchange or a source',
      ],
      [
        { SOURCES: '[{"exchange":"kraken","symbols":["XBT/USD"]}]' },
        {},
        "SOURCES[0].exchange 'kraken' cannot be healed: Kraken's REST OHLC serves only the latest 720 candles",
      ],
      [
        { SOURCES: '[{"exchange":"binance","symbols":["BTCUSDT"]},{"source":"kraken","symbols":["XBT/USD"]}]' },
        {},
        "SOURCES[1].source 'kraken' cannot be healed",
      ],
      [{ REST_BASE_BINANSE: 'http://127.0.0.1:1' }, {}, 'REST_BASE_BINANSE names no exchange'],
      [{ REST_BASE_BINANCE: 'ftp://example.com' }, {}, "REST_BASE_BINANCE 'ftp://example.com' is not an http(s) URL"],
    ];
    for (const [env, event, message] of cases) {
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      try {
        const error = await backfill(event).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toContain(message);
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    }
  });
});

/**
 * The gap ledger drives the heal. Bronze 1m klines 08:00-12:07 as the collector would have written them (closed
 * WebSocket bars), with ledgered interruptions of the kline stream, for a Binance spot symbol and a USD-M
 * futures one, each healed against its own simulator's REST dialect (`/api/v3/klines`, `/fapi/v1/klines`).
 *
 * BTCUSDT (spot), window 09:07-12:05:
 * - restart gap 08:55:10-09:11:05 (filed in hour 08, before the window): 08:55-09:11 have only in-progress rows;
 * - reconnect gap 10:30:20-10:36:45: 10:30 in progress only (its closing update was lost), 10:31-10:35 nothing,
 *   10:36 closed (it stays);
 * - trade-stream gap 09:49:50-09:50:30 with 09:50 in progress only: not the kline stream, not fetched;
 * - 11:15 in progress only, no gap: not fetched (nothing says it was lost);
 * - 11:40-11:41: a hole without any gap;
 * - reconnect gap from 11:58:30 still open (no end): 11:58-12:07 in progress only.
 * ETHUSDT (futures): the simulator's REST history starts at about 09:55; a hole 09:30-09:39 (stays missing), a
 * ledger gap 10:20:40-10:22:10 over in-progress 10:20 and 10:22 and an empty 10:21, and a hole 11:00-11:04.
 */
describe('ledger-driven self-heal on s3rver (Binance spot and USD-M futures)', () => {
  let s3: LocalS3;
  let store: ObjectStore;
  let spot: RunningSimulator;
  let futures: RunningSimulator;
  let before: string[];
  const DT = '2024-05-06';
  const btcFetched = [
    ...minutes('09:07', '09:12'),
    ...minutes('10:30', '10:36'),
    ...minutes('11:40', '11:42'),
    ...minutes('11:58', '12:05'),
  ];
  const ethFetched = [...minutes('10:20', '10:23'), ...minutes('11:00', '11:05')];
  const range = (from: string, to: string) => ({ from: iso(from), to: iso(to) });
  const KLINE_PREFIXES = ['bronze/klines/timeframe=1m/exchange=binance/', 'bronze/klines/timeframe=1m/exchange=binance-futures/'];
  const klineKeys = async () => (await Promise.all(KLINE_PREFIXES.map((p) => listAll(store, p)))).flat().map((o) => o.key);

  /** Writes the collector's Bronze for one symbol: closed bars, in-progress-only minutes, holes and gap rows. */
  async function collected(
    exchange: 'binance' | 'binance-futures',
    symbol: string,
    base: string,
    o: {
      inProgress: number[];
      closedToo?: number[];
      holes: number[];
      gaps: { stream: string; start: string; end: string | null; cause: string }[];
    },
  ): Promise<void> {
    const buffers = new BronzeBuffers(exchange);
    const stream = `${symbol.toLowerCase()}@kline_1m`;
    for (const t of minutes('08:00', '12:08')) {
      if (o.holes.includes(t)) continue;
      const open = o.inProgress.includes(t);
      // A few in-progress updates, as the stream sends them while the minute runs.
      if (open)
        for (const s of [10, 30, 50])
          buffers.add({
            dataset: 'klines',
            symbol,
            timeframe: '1m',
            stream,
            row: kline(t, { base, is_closed: false, event_time: t + s * 1000, ingest_time: t + s * 1000 + 100 }),
          });
      if (!open || o.closedToo?.includes(t))
        buffers.add({ dataset: 'klines', symbol, timeframe: '1m', stream, row: kline(t, { base }) });
    }
    for (const g of o.gaps) {
      const start = Date.parse(`${DT}T${g.start}Z`);
      const end = g.end === null ? null : Date.parse(`${DT}T${g.end}Z`);
      buffers.add({
        dataset: 'gaps',
        symbol,
        stream: g.stream,
        row: {
          stream: g.stream,
          start_time: start,
          end_time: end,
          cause: g.cause,
          detected_at: start + 1000,
          base,
          quote: 'USDT',
          ingest_time: start + 1000,
          source: 'ws',
        },
      });
    }
    await writeBronze(store, buffers.drain());
  }

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.store('gl');
    useLake(s3, 'gl');
    spot = await startSimulator({ symbols: ['BTCUSDT'], seed: 5, start: at('12:10'), speed: 'max', historyDays: 2 });
    // USD-M REST history reaches back to about 09:55 only (135 minutes before the simulator's start).
    futures = await startSimulator({
      symbols: ['ETHUSDT'],
      seed: 6,
      start: at('12:10'),
      speed: 'max',
      historyDays: 135 / 1440,
      protocol: 'binance-futures',
    });
    process.env.SOURCES = JSON.stringify([
      { exchange: 'binance', symbols: ['BTCUSDT'] },
      { source: 'binance-futures', symbols: ['ETHUSDT'] },
    ]);
    process.env.REST_BASE_BINANCE = spot.restBaseUrl;
    process.env.REST_BASE_BINANCE_FUTURES = futures.restBaseUrl;
    await collected('binance', 'BTCUSDT', 'BTC', {
      inProgress: [...minutes('08:55', '09:12'), at('09:50'), at('10:30'), at('11:15'), ...minutes('11:58', '12:08')],
      holes: [...minutes('10:31', '10:36'), ...minutes('11:40', '11:42')],
      gaps: [
        { stream: 'btcusdt@kline_1m', start: '08:55:10', end: '09:11:05', cause: 'restart' },
        { stream: 'btcusdt@kline_1m', start: '10:30:20', end: '10:36:45', cause: 'reconnect' },
        { stream: 'btcusdt@trade', start: '09:49:50', end: '09:50:30', cause: 'sequence_break' },
        { stream: 'btcusdt@kline_1m', start: '11:58:30', end: null, cause: 'reconnect' },
      ],
    });
    await collected('binance-futures', 'ETHUSDT', 'ETH', {
      inProgress: [at('10:20'), at('10:22')],
      closedToo: [],
      holes: [...minutes('09:30', '09:40'), at('10:21'), ...minutes('11:00', '11:05')],
      gaps: [{ stream: 'ethusdt@kline_1m', start: '10:20:40', end: '10:22:10', cause: 'reconnect' }],
    });
    before = await klineKeys();
  });
  afterAll(async () => {
    delete process.env.REST_BASE_BINANCE_FUTURES;
    await spot?.stop();
    await futures?.stop();
    await s3?.close();
  });

  it(
    "fetches the holes and the ledgered minutes without a closed bar, in each exchange's REST dialect, and lists what stays " +
      'missing',
    async () => {
      const { result, lines } = await captureStdout(() => backfill(FIRED));
      const [btc, eth] = result.symbols;
      expect(btc).toEqual({
        exchange: 'binance',
        symbol: 'BTCUSDT',
        ledgerGaps: 3,
        missingMinutes: 20,
        rows: 20,
        calls: 4,
        files: 5,
        stillMissing: [],
        stillMissingMinutes: 0,
        tradesFetched: 0,
        tradeIdsStillMissing: 0,
        errors: [],
        ranges: [range('09:07', '09:12'), range('10:30', '10:36'), range('11:40', '11:42'), range('11:58', '12:05')],
      });
      // 09:30-09:39 is before the futures REST history: asked for (one call, an empty answer), still missing, not an error.
      expect(eth).toEqual({
        exchange: 'binance-futures',
        symbol: 'ETHUSDT',
        ledgerGaps: 1,
        missingMinutes: 18,
        rows: 8,
        calls: 3,
        files: 2,
        ranges: [range('09:30', '09:40'), range('10:20', '10:23'), range('11:00', '11:05')],
        stillMissing: [range('09:30', '09:40')],
        stillMissingMinutes: 10,
        tradesFetched: 0,
        tradeIdsStillMissing: 0,
        errors: [],
      });

      // REST rows are new files beside the WebSocket ones, never replacements.
      const after = await klineKeys();
      expect(after).toEqual(expect.arrayContaining(before));
      const added = after.filter((k) => !before.includes(k));
      expect(added.every((k) => /-rest-[0-9a-f]{16}\.parquet$/.test(k))).toBe(true);
      expect(
        await openTimes(
          store,
          added.filter((k) => k.includes('exchange=binance/')),
        ),
      ).toEqual(btcFetched);
      expect(
        await openTimes(
          store,
          added.filter((k) => k.includes('exchange=binance-futures/')),
        ),
      ).toEqual(ethFetched);
      const fetched = await readTables(store, KLINES, added);
      expect(new Set(fetched.str('source'))).toEqual(new Set(['rest']));
      expect(fetched.bool('is_closed').every(Boolean)).toBe(true);

      expect(emfLines(lines).map((e) => [e.doc.Symbol, e.values, e.doc.ledgerGaps])).toEqual([
        ['BTCUSDT', { [Metric.BackfilledRows]: 20, [Metric.StillMissingMinutes]: 0 }, 3],
        ['ETHUSDT', { [Metric.BackfilledRows]: 8, [Metric.StillMissingMinutes]: 10 }, 1],
      ]);
    },
  );

  it('Silver takes the REST bars on the healed minutes (source rest, BACKFILLED) and keeps the WebSocket bars elsewhere', async () => {
    await runSilver({ store, dt: DT });
    const silver = dataset('silver', 'klines');
    const bars = async (exchange: string, symbol: string) => {
      const t = await readTable(store, silver, partitionFileKey(silver, { timeframe: '1m', exchange, symbol, dt: DT }));
      const open = t.num('open_time');
      const source = t.str('source');
      const flags = t.num('quality_flags');
      return new Map(Array.from({ length: t.length }, (_, i) => [open[i], { source: source[i], flags: flags[i] }]));
    };
    const check = (
      m: Map<number, { source: string | null; flags: number }>,
      healed: readonly number[],
      missing: readonly number[] = [],
    ) => {
      for (const t of minutes('09:07', '12:05')) {
        const bar = m.get(t);
        if (missing.includes(t)) expect(bar).toBeUndefined();
        else if (healed.includes(t))
          expect([bar?.source, bar!.flags & (QualityFlag.BACKFILLED | QualityFlag.INCOMPLETE)]).toEqual([
            'rest',
            QualityFlag.BACKFILLED,
          ]);
        else expect([bar?.source, bar!.flags & QualityFlag.BACKFILLED]).toEqual(['ws', 0]);
      }
    };
    const btc = await bars('binance', 'BTCUSDT');
    check(btc, btcFetched);
    // Not ledgered, so left as they were: the in-progress bars stay INCOMPLETE WebSocket bars, 10:36 closed.
    expect(btc.get(at('09:50'))).toEqual({ source: 'ws', flags: QualityFlag.INCOMPLETE });
    expect(btc.get(at('11:15'))).toEqual({ source: 'ws', flags: QualityFlag.INCOMPLETE });
    expect(btc.get(at('10:36'))).toEqual({ source: 'ws', flags: 0 });
    check(await bars('binance-futures', 'ETHUSDT'), ethFetched, minutes('09:30', '09:40'));
  });

  it('a second run fetches nothing new: only what stayed missing is asked for again, and it stays listed', async () => {
    const keys = await klineKeys();
    const { result } = await captureStdout(() => backfill(FIRED));
    expect(
      result.symbols.map((s) => [s.symbol, s.ledgerGaps, s.missingMinutes, s.rows, s.calls, s.files, s.stillMissing]),
    ).toEqual([
      ['BTCUSDT', 3, 0, 0, 0, 0, []],
      ['ETHUSDT', 1, 10, 0, 1, 0, [range('09:30', '09:40')]],
    ]);
    expect(await klineKeys()).toEqual(keys);
  });
});

/**
 * Trades lost in ledgered gaps of the trade stream (Binance spot): one hour of BTCUSDT trades (11:00-12:00) as the
 * collector would have written them, with klines complete (the kline heal has nothing to do), less the trades of
 * 11:20:00-11:21:30 (a sequence break) and 11:30-11:52 (a reconnect, more than 1,000 ids: two pages), each with
 * its ledger row on `btcusdt@trade`. The heal fetches exactly those ids from `/api/v3/historicalTrades`.
 */
describe('trade self-heal on s3rver (Binance spot /api/v3/historicalTrades)', () => {
  let s3: LocalS3;
  let store: ObjectStore;
  let sim: RunningSimulator;
  let lostIds: number[];
  let runs: [number, number][];
  let before: string[];
  const DT = '2024-05-06';
  const TRADES = dataset('bronze', 'trades');
  const TRADE_PREFIX = 'bronze/trades/exchange=binance/symbol=BTCUSDT/';
  const tradeKeys = async () => (await listAll(store, TRADE_PREFIX)).map((o) => o.key);
  const lostAt = (t: number) => (t >= at('11:20') && t < at('11:21') + 30_000) || (t >= at('11:30') && t < at('11:52'));
  let generated: ReturnType<typeof generateTradeRows>;
  const trades = () => dataset('silver', 'trades');
  const silverTradeGaps = (r: Awaited<ReturnType<typeof runSilver>>) =>
    r[0].report.datasets?.trades as { idGaps: unknown[]; missingIds: number };

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.store('th');
    useLake(s3, 'th');
    sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 8, start: at('12:10'), speed: 'max', historyDays: 1 });
    process.env.SOURCES = JSON.stringify([{ exchange: 'binance', symbols: ['BTCUSDT'] }]);
    process.env.REST_BASE_BINANCE = sim.restBaseUrl;
    await backfillKlines({
      store,
      exchange: 'binance',
      symbol: 'BTCUSDT',
      from: at('08:00'),
      to: at('12:08'),
      restBase: sim.restBaseUrl,
      now: () => sim.clock.now(),
    });

    generated = generateTradeRows('BTCUSDT', at('11:00'), at('12:00'), { model: sim.model, ingestLagMs: 40 });
    const id = generated.num('trade_id');
    const time = generated.num('event_time');
    const buffers = new BronzeBuffers('binance');
    lostIds = [];
    runs = [];
    for (let i = 0; i < generated.length; i++) {
      if (!lostAt(time[i])) {
        buffers.add({ dataset: 'trades', symbol: 'BTCUSDT', stream: 'btcusdt@trade', row: generated.row(i) });
        continue;
      }
      lostIds.push(id[i]);
      if (lostAt(time[i - 1])) continue;
      // A run of lost trades: the ledger row spans from the last trade received to the next one, as the collector writes it.
      let j = i;
      while (lostAt(time[j + 1])) j++;
      runs.push([id[i], id[j]]);
      const [start, end] = [time[i - 1], time[j + 1]];
      const cause = runs.length === 1 ? 'sequence_break' : 'reconnect';
      buffers.add({
        dataset: 'gaps',
        symbol: 'BTCUSDT',
        stream: 'btcusdt@trade',
        row: {
          stream: 'btcusdt@trade',
          start_time: start,
          end_time: end,
          cause,
          detected_at: end + 5,
          base: 'BTC',
          quote: 'USDT',
          ingest_time: end + 5,
          source: 'ws',
        },
      });
    }
    await writeBronze(store, buffers.drain());
    before = await tradeKeys();
  });
  afterAll(async () => {
    await sim?.stop();
    await s3?.close();
  });

  it('Silver sees the two trade-id gaps before the heal', async () => {
    expect(runs).toHaveLength(2);
    expect(runs[1][1] - runs[1][0] + 1).toBeGreaterThan(1000);
    const gaps = silverTradeGaps(await runSilver({ store, dt: DT }));
    expect(gaps.idGaps.map((g) => g as { afterId: number; beforeId: number })).toEqual(
      runs.map(([a, b]) => expect.objectContaining({ afterId: a - 1, beforeId: b + 1 })),
    );
    expect(gaps.missingIds).toBe(lostIds.length);
  });

  it('fetches exactly the lost ids, paging by fromId, and writes them as new Bronze trades with source rest', async () => {
    const { result, lines } = await captureStdout(() => backfill(FIRED));
    const calls = runs.reduce((n, [a, b]) => n + Math.ceil((b - a + 1) / 1000), 0);
    expect(calls).toBe(3);
    expect(result.symbols).toEqual([
      {
        exchange: 'binance',
        symbol: 'BTCUSDT',
        ledgerGaps: 0,
        missingMinutes: 0,
        ranges: [],
        rows: 0,
        calls,
        files: 1,
        stillMissing: [],
        stillMissingMinutes: 0,
        tradesFetched: lostIds.length,
        tradeIdsStillMissing: 0,
        errors: [],
      },
    ]);
    expect(emfLines(lines).map((e) => [e.doc.tradesFetched, e.doc.tradeIdsStillMissing])).toEqual([[lostIds.length, 0]]);

    const added = (await tradeKeys()).filter((k) => !before.includes(k));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/\/dt=2024-05-06\/hour=11\/part-[^/]*-rest-[0-9a-f]{16}\.parquet$/);
    const fetched = await readTables(store, TRADES, added);
    expect(Array.from(fetched.num('trade_id'))).toEqual(lostIds);
    expect(new Set(fetched.str('source'))).toEqual(new Set(['rest']));
    // The same trades the stream sent: time, price, qty and side, value for value.
    const byId = new Map(Array.from(generated.num('trade_id'), (id, i) => [id, i]));
    for (let k = 0; k < fetched.length; k++) {
      const i = byId.get(fetched.num('trade_id')[k])!;
      expect([
        fetched.num('event_time')[k],
        fetched.num('price')[k],
        fetched.num('qty')[k],
        fetched.bool('is_buyer_maker')[k],
      ]).toEqual([
        generated.num('event_time')[i],
        generated.num('price')[i],
        generated.num('qty')[i],
        generated.bool('is_buyer_maker')[i],
      ]);
    }
  });

  it('a second run fetches nothing and writes nothing', async () => {
    const keys = await tradeKeys();
    const { result } = await captureStdout(() => backfill(FIRED));
    expect(result.symbols.map((s) => [s.tradesFetched, s.tradeIdsStillMissing, s.calls, s.files, s.errors])).toEqual([
      [0, 0, 0, 0, []],
    ]);
    expect(await tradeKeys()).toEqual(keys);
  });

  it('Silver afterwards has no trade-id gaps, and flags exactly the healed trades BACKFILLED', async () => {
    const gaps = silverTradeGaps(await runSilver({ store, dt: DT }));
    expect([gaps.idGaps, gaps.missingIds]).toEqual([[], 0]);
    const silver = await readTable(
      store,
      trades(),
      partitionFileKey(trades(), { exchange: 'binance', symbol: 'BTCUSDT', dt: DT }),
    );
    expect(silver.length).toBe(generated.length);
    const lost = new Set(lostIds);
    const ids = silver.num('trade_id');
    const flags = silver.num('quality_flags');
    const source = silver.str('source');
    for (let i = 0; i < silver.length; i++) {
      const healed = lost.has(ids[i]);
      expect([ids[i], source[i], flags[i] & QualityFlag.BACKFILLED]).toEqual([
        ids[i],
        healed ? 'rest' : 'ws',
        healed ? QualityFlag.BACKFILLED : 0,
      ]);
    }
  });
});
