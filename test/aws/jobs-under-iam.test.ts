import path from 'node:path';
import { putTable } from '../../lib/parquet/write';
import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { generateBookRows, generateTradeRows } from '../../lib/simulator/offline/bronze-rows';
import { bronzeFileKey, dayStart } from '../../lib/storage/lake-paths';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { bronzeDay } from '../helpers/klines';
import { asRole } from './iam-gate';
import { startAwsLake, synthesize, writeRequestSummary, type AwsLake } from './aws-harness';

/**
 * The lake's jobs as AWS runs them: the synthesized build state machine executed locally (Distributed Maps included),
 * every Lambda invocation under its function's role from the synthesized template, every S3 request evaluated
 * against that role's policy (test/aws/iam-gate.ts). A denied request fails the job and is listed by the test.
 */

const DAY1 = '2024-03-03';
const DAY2 = '2024-03-04';
const SYMBOLS = [
  ['binance', 'BTCUSDT'],
  ['binance', 'ETHUSDT'],
  ['binance-futures', 'LINKUSDT'],
] as const;
const HOUR = 3_600_000;

const TIMEOUT = 300_000;

/** Bronze as the collector and imports leave it: whole days of 1m klines, and an hour of trades and book snapshots. */
async function seedBronze(store: ObjectStore): Promise<void> {
  const klines = dataset('bronze', 'klines');
  for (const dt of [DAY1, DAY2]) {
    for (const [exchange, symbol] of SYMBOLS) {
      await putTable(
        store,
        bronzeFileKey(klines, { timeframe: '1m', exchange, symbol, dt, hour: 0 }, dayStart(dt), `seed-${symbol}`),
        bronzeDay(dt),
      );
    }
  }
  const from = dayStart(DAY2) + 12 * HOUR;
  for (const [name, rows] of [
    ['trades', generateTradeRows('BTCUSDT', from, from + HOUR, { seed: 3 })],
    ['book_top10', generateBookRows('BTCUSDT', from, from + HOUR, { seed: 3 })],
  ] as const) {
    await putTable(
      store,
      bronzeFileKey(dataset('bronze', name), { exchange: 'binance', symbol: 'BTCUSDT', dt: DAY2, hour: 12 }, from, 'seed'),
      rows,
    );
  }
}

const keysUnder = async (store: ObjectStore, prefix: string) => (await listAll(store, prefix)).map((o) => o.key);

describe('the jobs under their synthesized IAM policies', () => {
  let lake: AwsLake;
  let raw: S3ObjectStore;

  beforeAll(async () => {
    lake = await startAwsLake(synthesize());
    raw = lake.s3.store();
    await seedBronze(raw);
  }, TIMEOUT);
  afterAll(async () => {
    if (lake) {
      writeRequestSummary(path.join(__dirname, '../../test-results/iam-requests.md'), lake.log, {
        silver: lake.functionRole('JobsSilver'),
        gold: lake.functionRole('JobsGold'),
        plan: lake.functionRole('JobsPlan'),
        summarize: lake.functionRole('JobsSummarize'),
        health: lake.functionRole('JobsHealth'),
        catalog: lake.functionRole('JobsCatalog'),
        'build state machine': lake.machineRole(),
      });
      await lake.close();
    }
  });
  afterEach(() => {
    // Whatever a test did, nothing it ran may have been refused by IAM.
    const denied = lake.log.denied;
    lake.log.clear();
    expect(denied).toEqual([]);
  });

  it(
    'runs the daily build (yesterday, Silver then Gold per partition) with every request allowed',
    async () => {
      const { output, mapRuns } = await lake.runBuild({ time: '2024-03-05T01:00:00Z' }, { executionName: 'daily-1' });
      expect(mapRuns).toEqual([
        { state: 'SilverPartitions', items: 3, succeeded: 3, failed: 0, pending: 0 },
        { state: 'GoldPartitions', items: 3, succeeded: 3, failed: 0, pending: 0 },
      ]);
      expect(output).toMatchObject({
        silver: { planned: 3, succeeded: 3, failed: 0, failedPartitions: [] },
        gold: { planned: 3, succeeded: 3, failed: 0 },
      });
      for (const [exchange, symbol] of SYMBOLS) {
        const silver = await readTable(
          raw,
          dataset('silver', 'klines'),
          `silver/klines/timeframe=1m/exchange=${exchange}/symbol=${symbol}/dt=${DAY2}/data.parquet`,
        );
        expect(silver.length).toBe(1440);
        const gold = await readTable(
          raw,
          dataset('gold', 'features_1m'),
          `gold/features_1m/exchange=${exchange}/symbol=${symbol}/dt=${DAY2}/data.parquet`,
        );
        expect(gold.length).toBe(1440);
        expect(await raw.exists(`reports/quality/dt=${DAY2}/${exchange}_${symbol}.json`)).toBe(true);
      }
      // Only yesterday was built; the tick datasets of BTCUSDT too.
      expect(await keysUnder(raw, `silver/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${DAY1}/`)).toEqual([]);
      expect((await keysUnder(raw, 'silver/trades/')).length).toBe(1);
      // The catalog job ran once the build had written, under its role (Glue requests evaluated too).
      expect(
        lake.log.requests.filter((r) => r.role === lake.functionRole('JobsCatalog').name && r.action === 'glue:GetTable').length,
      ).toBeGreaterThan(0);
      // The Step Functions role read the item lists and wrote the map-run results, under jobs/ only.
      expect(await keysUnder(raw, 'jobs/builds/daily-1/')).toEqual([
        'jobs/builds/daily-1/gold-items.json',
        'jobs/builds/daily-1/silver-items.json',
      ]);
      expect((await keysUnder(raw, 'jobs/map-runs/')).filter((k) => k.endsWith('manifest.json'))).toHaveLength(2);
    },
    TIMEOUT,
  );

  it(
    'rebuilds a multi-date, multi-symbol range: Silver again over its own reports (the first-build bug), then Gold',
    async () => {
      const { output, mapRuns } = await lake.runBuild({ from: DAY1, to: DAY2 }, { executionName: 'rebuild-1' });
      expect(mapRuns.map((m) => [m.state, m.items, m.succeeded])).toEqual([
        ['SilverPartitions', 6, 6],
        ['GoldPartitions', 6, 6],
      ]);
      expect(output).toMatchObject({ silver: { planned: 6, failed: 0 }, gold: { planned: 6, failed: 0 } });
      const items = JSON.parse(Buffer.from(await raw.get('jobs/builds/rebuild-1/silver-items.json')).toString()) as {
        dt: string;
        symbol: string;
      }[];
      expect(items.map((i) => `${i.dt} ${i.symbol}`)).toEqual(
        [DAY1, DAY2].flatMap((dt) => ['BTCUSDT', 'ETHUSDT', 'LINKUSDT'].map((s) => `${dt} ${s}`)),
      );
      // The second build of DAY2 read the first build's report and kept its first-build time.
      const report = JSON.parse(Buffer.from(await raw.get(`reports/quality/dt=${DAY2}/binance_BTCUSDT.json`)).toString()) as {
        firstBuiltAt: string;
        builtAt: string;
      };
      expect(Date.parse(report.firstBuiltAt)).toBeLessThan(Date.parse(report.builtAt));
      expect(
        lake.log.requests.some(
          (r) =>
            r.action === 's3:GetObject' && r.resource.endsWith(`reports/quality/dt=${DAY2}/binance_BTCUSDT.json`) && r.allowed,
        ),
      ).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a partition whose input is unreadable is listed and the others are built; past the tolerated share the build stops',
    async () => {
      // An unreadable Bronze file is skipped and named in its partition's quality report (docs/bad-files.md) ...
      const badBronze =
        `bronze/klines/timeframe=1m/exchange=binance/symbol=ETHUSDT/dt=${DAY2}/` + 'hour=05/part-20240304T050000Z-broken.parquet';
      await raw.put(badBronze, 'not parquet');
      // ... but a Silver input Gold cannot read (DAY2's warm-up, outside the range, so not rebuilt) fails that Gold partition.
      const badSilver = `silver/klines/timeframe=1m/exchange=binance/symbol=ETHUSDT/dt=${DAY1}/data.parquet`;
      const good = await raw.get(badSilver);
      await raw.put(badSilver, 'not parquet');
      try {
        // 1 of 3 partitions is over the default 5 %: the build fails, naming the threshold.
        const err = await lake.runBuild({ from: DAY2, to: DAY2 }, { executionName: 'rebuild-strict' }).then(
          () => undefined,
          (e: Error & { mapRuns?: unknown }) => e,
        );
        expect(err?.name).toBe('TooManyPartitionsFailed');
        expect(err?.mapRuns).toEqual([
          expect.objectContaining({ state: 'SilverPartitions', items: 3, failed: 0 }),
          expect.objectContaining({ state: 'GoldPartitions', items: 3, failed: 1 }),
        ]);
        const reportKey = `reports/quality/dt=${DAY2}/binance_ETHUSDT.json`;
        const report = JSON.parse(Buffer.from(await raw.get(reportKey)).toString()) as { unreadableFiles?: unknown };
        expect(report.unreadableFiles).toEqual([{ key: badBronze, reason: 'too short for Parquet (11 bytes)' }]);

        // With a tolerance that admits it, the other partitions are built and the summary names the bad file.
        const tolerant = synthesize({ buildToleratedFailurePercent: 50 });
        const { output, mapRuns } = await lake.runBuild(
          { from: DAY2, to: DAY2 },
          { executionName: 'rebuild-tolerant', template: tolerant },
        );
        expect(mapRuns.map((m) => [m.state, m.succeeded, m.failed])).toEqual([
          ['SilverPartitions', 3, 0],
          ['GoldPartitions', 2, 1],
        ]);
        const cause = `gold binance ETHUSDT ${DAY2} failed: ${badSilver}: too short for Parquet (11 bytes)`;
        expect(output).toMatchObject({
          gold: {
            planned: 3,
            succeeded: 2,
            failed: 1,
            failedPartitions: [{ dt: DAY2, exchange: 'binance', symbol: 'ETHUSDT', error: expect.any(String), cause }],
          },
        });
      } finally {
        await raw.delete(badBronze);
        await raw.put(badSilver, good);
      }
    },
    TIMEOUT,
  );

  it(
    'health reads what it needs under its role',
    async () => {
      const { handler } = await import('../../lambdas/health');
      const health = await asRole(lake.functionRole('JobsHealth'), () => handler({}));
      expect(health).toMatchObject({ bronze: expect.arrayContaining([expect.objectContaining({ exchange: 'binance' })]) });
    },
    TIMEOUT,
  );

  it(
    'a missing key reads as missing under a role that may list its prefix, and as AccessDenied where it may not',
    async () => {
      // The summary may read jobs/map-runs/ but list nothing: S3 answers 403 for a missing key, and the store must not
      // mistake that for "missing" without a listing it is allowed to make.
      const missing = 'jobs/map-runs/none/manifest.json';
      const err = await asRole(lake.functionRole('JobsSummarize'), () => lake.gated.tryGet(missing)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.name).toBe('AccessDenied');
      lake.log.requests.length = 0;
      const gold = lake.functionRole('JobsGold');
      expect(
        await asRole(gold, () =>
          lake.gated.tryGet('silver/klines/timeframe=1m/exchange=binance/symbol=NONE/dt=2020-01-01/data.parquet'),
        ),
      ).toBeUndefined();
      expect(lake.log.requests.map((r) => r.action)).toEqual(['s3:GetObject', 's3:ListBucket']);
    },
    TIMEOUT,
  );

  it(
    "the gate is live: a write outside the role's prefixes is refused with AccessDenied",
    async () => {
      const err = await asRole(lake.functionRole('JobsHealth'), () => lake.gated.put('silver/x', 'y')).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.name).toBe('AccessDenied');
      expect(lake.log.denied).toEqual([expect.objectContaining({ action: 's3:PutObject', allowed: false })]);
      lake.log.requests.length = 0;
    },
    TIMEOUT,
  );
});
