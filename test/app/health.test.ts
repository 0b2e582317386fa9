import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { writeBronze } from '../../lib/bronze/bronze-writer';
import { computeHealth } from '../../lib/app/health';
import { formatAge, healthMarkdown } from '../../lib/app/health-markdown';
import { runGold } from '../../lib/gold/gold-job';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { readTable } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { runSilver } from '../../lib/silver/silver-job';
import { startSimulator } from '../../lib/simulator';
import { dayStart } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { kline } from '../helpers/klines';
import { tmpDir } from '../helpers/sample-rows';

const DT = '2024-02-10';
const DAY0 = dayStart(DT);
const MIN = 60_000;
const GOLD_KEY = `gold/features_1m/exchange=binanceus/symbol=BTCUSDT/dt=${DT}/data.parquet`;

/**
 * A local lake: binance written live (collector-style files, UUID ids) just now; binanceus backfilled over REST
 * from the simulator for one day (old data, REST file ids), with Silver and Gold built for that day.
 */
describe('computeHealth', () => {
  const store = new LocalObjectStore(tmpDir('health'));
  let written: number;

  beforeAll(async () => {
    const sim = await startSimulator({
      symbols: ['BTCUSDT'],
      seed: 2,
      start: DAY0 + 86_400_000 + 10 * MIN,
      speed: 'max',
      historyDays: 2,
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
    } finally {
      await sim.stop();
    }
    await runSilver({ store, dt: DT });
    await runGold({ store, dt: DT });
    // Live files hold old event times too (a replay); their write time is what says the feed is alive.
    const buffers = new BronzeBuffers('binance');
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      for (let m = 0; m < 3; m++)
        buffers.add({ dataset: 'klines', symbol, timeframe: '1m', stream: 'kline_1m', row: kline(DAY0 + m * MIN) });
    }
    written = Date.now();
    await writeBronze(store, buffers.drain());
  });

  it('is fresh right after a live write, with the write time as basis; a REST backfill counts by its data time', async () => {
    const h = await computeHealth(store, written + 5_000);
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
    const [binance, binanceus] = h.bronze;
    expect(binance).toMatchObject({ exchange: 'binance', fresh: true });
    expect(binance.ageSeconds).toBeLessThanOrEqual(10);
    expect(binance.symbols.map((s) => [s.symbol, s.basis, s.fresh])).toEqual([
      ['BTCUSDT', 'written', true],
      ['ETHUSDT', 'written', true],
    ]);
    expect(binanceus).toMatchObject({ exchange: 'binanceus', fresh: false });
    expect(binanceus.symbols[0]).toMatchObject({
      symbol: 'BTCUSDT',
      basis: 'data',
      newestAt: `${DT}T23:00:00.000Z`,
      newestKey: expect.stringMatching(
        new RegExp(`^bronze/klines/timeframe=1m/exchange=binanceus/symbol=BTCUSDT/dt=${DT}/hour=23/part-20240210T230000Z-rest-`),
      ),
    });
    expect(binanceus.ageSeconds).toBe(Math.round((written + 5_000 - Date.parse(`${DT}T23:00:00Z`)) / 1000));

    expect(h.silver.dt).toBe(DT);
    expect(h.silver.reports).toEqual([
      expect.objectContaining({
        exchange: 'binanceus',
        symbol: 'BTCUSDT',
        dt: DT,
        verdict: 'PASS',
        completenessPercent: 100,
        reasons: [],
      }),
    ]);
    expect(h.gold).toEqual([
      expect.objectContaining({ exchange: 'binanceus', symbol: 'BTCUSDT', dt: DT, rows: 1440, invalid: 0, invalidFeatures: [] }),
    ]);
    expect(h.problems).toEqual([
      expect.stringMatching(/^bronze binanceus BTCUSDT: newest file is [\d.]+ d old \(stale after 10 min\)$/),
    ]);
    expect(h.ok).toBe(false);
  });

  it('turns stale once no live file was written for longer than the threshold', async () => {
    const h = await computeHealth(store, written + 11 * MIN);
    expect(h.bronze[0]).toMatchObject({ exchange: 'binance', fresh: false });
    expect(h.bronze[0].ageSeconds).toBeGreaterThanOrEqual(655);
    expect((await computeHealth(store, written + 11 * MIN, { staleAfterSeconds: 3600 })).bronze[0].fresh).toBe(true);
  });

  it('counts invalid Gold feature values of the latest partition and names the features', async () => {
    const spec = dataset('gold', 'features_1m');
    const original = await readTable(store, spec, GOLD_KEY);
    const broken = original.take(Array.from({ length: original.length }, (_, i) => i));
    broken.num('rsi_14_1m')[700] = 140;
    broken.num('atr_14_5m')[800] = Infinity;
    await putTable(store, GOLD_KEY, broken);
    try {
      const h = await computeHealth(store, written);
      expect(h.gold[0]).toMatchObject({ invalid: 2, invalidFeatures: ['rsi_14_1m', 'atr_14_5m'] });
      expect(h.problems).toContain(`gold binanceus BTCUSDT ${DT}: 2 invalid feature values (rsi_14_1m, atr_14_5m)`);
      const md = healthMarkdown(h);
      expect(md).toContain('| binanceus | BTCUSDT | 2024-02-10 | 1440 |');
      expect(md).toContain('| 2 (rsi_14_1m, atr_14_5m) |');
    } finally {
      await putTable(store, GOLD_KEY, original);
    }
  });

  it('renders Markdown for people', async () => {
    const md = healthMarkdown(await computeHealth(store, written + 5_000));
    expect(md).toMatch(/^# Lake health: 1 problem\n/);
    expect(md).toContain('- bronze binanceus BTCUSDT: newest file is');
    expect(md).toContain('## Bronze freshness (1m klines, stale after 10 min)');
    expect(md).toMatch(/\| binance \| ETHUSDT \| \S+ \(written\) \| \d+ s \| fresh \|/);
    expect(md).toContain('| binanceus | BTCUSDT | 2024-02-10T23:00:00.000Z (data) |');
    expect(md).toContain('## Silver quality (dt=2024-02-10)');
    expect(md).toContain('| binanceus | BTCUSDT | PASS | 100.00 % |  |');
  });

  it('reports an empty lake as not ok', async () => {
    const h = await computeHealth(new LocalObjectStore(tmpDir('health-empty')), Date.now());
    expect(h).toMatchObject({
      ok: false,
      problems: ['bronze: no 1m klines in the lake'],
      bronze: [],
      silver: { dt: null, reports: [] },
      gold: [],
    });
    expect(healthMarkdown(h)).toContain('No Bronze 1m klines.');
  });

  it('formats ages for people', () => {
    expect([formatAge(42), formatAge(600), formatAge(3 * 3600), formatAge(5 * 86_400)]).toEqual([
      '42 s',
      '10 min',
      '3.0 h',
      '5.0 d',
    ]);
  });
});
