import { healTargetsFromEnv, healWindow } from '../../lib/app/self-heal';
import { BINANCE_US_REST_BASE } from '../../lib/exchanges/binance';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { Metric } from '../../lib/monitoring/metrics';
import { readTable, readTables } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { UserError } from '../../lib/util/errors';
import { handler as backfill } from '../../lambdas/backfill';
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
      SOURCES: JSON.stringify([{ source: 'sim', symbols: ['btcusdt', 'BTCUSDT'], endpoint: 'ws://127.0.0.1:1' }, { exchange: 'binanceus', symbols: ['ETHUSD'] }]),
      REST_BASE_BINANCE: 'http://127.0.0.1:2',
    };
    expect(healTargetsFromEnv(env)).toEqual([
      { exchange: 'binance', symbols: ['BTCUSDT'], restBase: 'http://127.0.0.1:2' },
      { exchange: 'binanceus', symbols: ['ETHUSD'], restBase: BINANCE_US_REST_BASE },
    ]);
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
    await backfillKlines({ store, exchange: 'binance', symbol: 'BTCUSDT', from: at('08:00'), to: at('12:08'), restBase: sim.restBaseUrl, now: () => sim.clock.now() });
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
      exchange: 'binance', symbol: 'BTCUSDT', missingMinutes: 70, rows: 70, calls: 4, files: 4, errors: [],
      ranges: [['09:07', '09:11'], ['10:00', '11:00'], ['11:20', '11:25'], ['11:40', '11:41']].map(([from, to]) => ({ from: iso(from), to: iso(to) })),
    });
    expect(eth).toMatchObject({ symbol: 'ETHUSDT', missingMinutes: 178, rows: 178, errors: [], ranges: [{ from: iso('09:07'), to: iso('12:05') }] });
    expect(result.rows).toBe(248);

    // New files only (nothing rewritten or removed), holding exactly the missing minutes, all closed REST bars.
    const after = (await listAll(store, PREFIX)).map((o) => o.key);
    expect(after).toEqual(expect.arrayContaining(before));
    const added = after.filter((k) => !before.includes(k));
    expect(added.every((k) => /-rest-[0-9a-f]{16}\.parquet$/.test(k))).toBe(true);
    expect(await openTimes(store, added.filter((k) => k.includes('symbol=BTCUSDT')))).toEqual(btcMissing);
    expect(await openTimes(store, added.filter((k) => k.includes('symbol=ETHUSDT')))).toEqual(minutes('09:07', '12:05'));
    const fetched = await readTables(store, KLINES, added);
    expect(new Set(fetched.str('source'))).toEqual(new Set(['rest']));
    expect(fetched.bool('is_closed').every(Boolean)).toBe(true);

    const emf = emfLines(lines);
    expect(emf.map((e) => [e.doc.Symbol, e.values])).toEqual([['BTCUSDT', { [Metric.BackfilledRows]: 70 }], ['ETHUSDT', { [Metric.BackfilledRows]: 178 }]]);
    for (const e of emf) {
      expect(e.dimensions).toEqual([[]]);
      expect(e.units).toEqual({ [Metric.BackfilledRows]: 'Count' });
    }
  });

  it('is idempotent: a second run finds nothing missing, calls nothing and writes nothing', async () => {
    const keys = (await listAll(store, PREFIX)).map((o) => o.key);
    // The event's hours win over SELF_HEAL_HOURS (four hours back there are still holes, see below).
    process.env.SELF_HEAL_HOURS = '4';
    const { result, lines } = await captureStdout(() => backfill({ ...FIRED, hours: 3 })).finally(() => { delete process.env.SELF_HEAL_HOURS; });
    expect(result.symbols.map((s) => [s.symbol, s.missingMinutes, s.rows, s.calls, s.ranges])).toEqual([['BTCUSDT', 0, 0, 0, []], ['ETHUSDT', 0, 0, 0, []]]);
    expect((await listAll(store, PREFIX)).map((o) => o.key)).toEqual(keys);
    expect(emfLines(lines).map((e) => e.values[Metric.BackfilledRows])).toEqual([0, 0]);
  });

  it('fails the invocation when the exchange cannot be reached, after publishing every symbol\'s metric', async () => {
    process.env.REST_BASE_BINANCE = 'http://127.0.0.1:9';
    process.env.SELF_HEAL_HOURS = '4';
    try {
      // Four hours reach back to 08:07: BTCUSDT's 09:00-09:06 and ETHUSDT's 08:07-09:06 are missing.
      const { result: error, lines } = await captureStdout(() => backfill(FIRED).then(() => undefined, (e: unknown) => e));
      expect((error as Error).message).toBe('self-heal failed for binance/BTCUSDT (fetch failed), binance/ETHUSDT (fetch failed)');
      expect(emfLines(lines).map((e) => [e.doc.Symbol, e.values[Metric.BackfilledRows]])).toEqual([['BTCUSDT', 0], ['ETHUSDT', 0]]);
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
      [{ SOURCES: '[{"exchange":"binance","symbol":["BTCUSDT"]}]' }, {}, 'SOURCES[0] has unknown key(s) symbol (expected exchange or source, and symbols)'],
      [{ SOURCES: '[{"exchange":"binance","source":"binance","symbols":["BTCUSDT"]}]' }, {}, 'SOURCES[0] must name either an exchange or a source'],
      [{ SOURCES: '[{"exchange":"kraken","symbols":["XBT/USD"]}]' }, {}, "SOURCES[0].exchange 'kraken' cannot be healed"],
      [{ SOURCES: '[{"source":"binance-futures","symbols":["BTCUSDT"]}]' }, {}, "SOURCES[0].source 'binance-futures' cannot be healed"],
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
        const error = await backfill(event).then(() => undefined, (e: unknown) => e);
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
