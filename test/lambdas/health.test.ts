import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { sourceProfile } from '../../lib/exchanges/registry';
import type { LakeHealth } from '../../lib/app/health';
import { runGold } from '../../lib/gold/gold-job';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { Metric } from '../../lib/monitoring/metrics';
import { runSilver } from '../../lib/silver/silver-job';
import { startSimulator } from '../../lib/simulator';
import { dayStart } from '../../lib/storage/lake-paths';
import { UserError } from '../../lib/util/errors';
import { handler as health } from '../../lambdas/health';
import type { LocalS3 } from '../helpers/s3rver';
import { captureStdout, emfLines, scheduledEvent, useLake } from './helpers';
import { startS3 } from '../helpers/s3rver';
import { collectUntilEnd } from '../helpers/sim-collect';

const DT = '2024-06-01';
const DAY0 = dayStart(DT);
const MIN = 60_000;

/**
 * A lake in s3rver: binance collected live over WebSocket from the simulator just now (fresh by write time),
 * binanceus REST-backfilled for one old day with Silver and Gold built (stale: its newest data is old).
 */
describe('health handler on s3rver', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3();
    const store = s3.store('hl');
    useLake(s3, 'hl');
    const liveStart = DAY0 + 86_400_000 + 12 * 3_600_000;
    const sim = await startSimulator({
      symbols: ['BTCUSDT', 'ETHUSDT'],
      seed: 8,
      start: liveStart,
      end: liveStart + 4 * MIN,
      speed: 'max',
      historyDays: 3,
    });
    try {
      await backfillKlines({
        store,
        exchange: 'binanceus',
        symbol: 'BTCUSDT',
        from: DAY0,
        to: DAY0 + 1440 * MIN,
        restBase: sim.restBaseUrl,
        now: () => sim.clock.now(),
      });
      const profile = sourceProfile('sim');
      await collectUntilEnd(
        sim,
        new Collector({
          exchange: 'binance',
          adapter: profile.adapter,
          connections: profile.connections(sim.wsBaseUrl, ['BTCUSDT', 'ETHUSDT']),
          store,
          clock: new EventClock(sim.clock),
        }),
      );
    } finally {
      await sim.stop();
    }
    await runSilver({ store, dt: DT });
    await runGold({ store, dt: DT });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('reports live binance fresh and backfilled binanceus stale, with Silver and Gold, and emits BronzeAgeSeconds', async () => {
    const { result, lines } = await captureStdout(() => health(scheduledEvent(new Date().toISOString())));
    const h: LakeHealth = result;
    expect(h.bronze.map((ex) => [ex.exchange, ex.fresh])).toEqual([
      ['binance', true],
      ['binanceus', false],
    ]);
    expect(h.bronze[0].symbols.map((s) => [s.symbol, s.basis])).toEqual([
      ['BTCUSDT', 'written'],
      ['ETHUSDT', 'written'],
    ]);
    expect(h.bronze[0].ageSeconds).toBeLessThan(60);
    expect(h.bronze[1].symbols[0]).toMatchObject({ basis: 'data', newestAt: `${DT}T23:00:00.000Z` });
    expect(h.silver).toEqual({
      dt: DT,
      reports: [expect.objectContaining({ exchange: 'binanceus', symbol: 'BTCUSDT', verdict: 'PASS' })],
    });
    expect(h.gold).toEqual([
      expect.objectContaining({ exchange: 'binanceus', symbol: 'BTCUSDT', dt: DT, rows: 1440, invalid: 0 }),
    ]);
    expect(h.ok).toBe(false);
    expect(h.problems).toEqual([expect.stringMatching(/^bronze binanceus BTCUSDT: newest file is .* old/)]);

    const emf = emfLines(lines);
    // One data point per exchange of one metric without dimensions: its Maximum is the stalest exchange.
    expect(emf.map((e) => [e.dimensions, e.doc.Exchange, e.values])).toEqual([
      [[[]], 'binance', { [Metric.BronzeAgeSeconds]: h.bronze[0].ageSeconds }],
      [[[]], 'binanceus', { [Metric.BronzeAgeSeconds]: h.bronze[1].ageSeconds }],
    ]);
    expect(emf.every((e) => e.units[Metric.BronzeAgeSeconds] === 'Seconds')).toBe(true);
  });

  it('takes the staleness threshold from STALE_AFTER_SECONDS', async () => {
    process.env.STALE_AFTER_SECONDS = '1';
    try {
      // Let the live files age past one second.
      await new Promise((r) => setTimeout(r, 2_500));
      const { result } = await captureStdout(() => health({}));
      expect(result.staleAfterSeconds).toBe(1);
      expect(result.bronze.map((ex) => ex.fresh)).toEqual([false, false]);
      process.env.STALE_AFTER_SECONDS = '10m';
      const error = await health({}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe('STALE_AFTER_SECONDS=10m is not a whole number from 1 to 31622400');
    } finally {
      delete process.env.STALE_AFTER_SECONDS;
    }
  });

  it('publishes nothing for an empty lake (the alarm treats missing data as breaching)', async () => {
    useLake(s3, 'empty');
    try {
      const { result, lines } = await captureStdout(() => health({}));
      expect(result).toMatchObject({ ok: false, bronze: [], problems: ['bronze: no 1m klines in the lake'] });
      expect(lines).toEqual([]);
    } finally {
      useLake(s3, 'hl');
    }
  });
});
