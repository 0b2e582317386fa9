import { MAX_BUILD_DAYS, planPartitions, type PartitionItem } from '../../lib/app/build-plan';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey, dayStart } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import type { ObjectStore } from '../../lib/storage/object-store';
import { UserError } from '../../lib/util/errors';
import { handler as plan } from '../../lambdas/plan';
import { bronzeDay } from '../helpers/klines';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { tmpDir } from '../helpers/sample-rows';
import { useLake } from './helpers';

const TIMEOUT = 60_000;

/** Bronze 1m klines (one file per partition) for the given partitions. */
async function seed(store: ObjectStore, parts: [string, string, string][]): Promise<void> {
  const spec = dataset('bronze', 'klines');
  for (const [exchange, symbol, dt] of parts) {
    await putTable(
      store,
      bronzeFileKey(spec, { timeframe: '1m', exchange, symbol, dt, hour: 0 }, dayStart(dt), 'seed'),
      bronzeDay(
        dt,
        Array.from({ length: 1430 }, (_, i) => i),
      ),
    );
  }
}

const PARTS: [string, string, string][] = [
  ['binance', 'BTCUSDT', '2024-02-28'],
  ['binance', 'BTCUSDT', '2024-02-29'],
  ['binance', 'BTCUSDT', '2024-03-01'],
  ['binance', 'ETHUSDT', '2024-02-29'],
  ['kraken', 'BTC/USD', '2024-02-29'],
  ['binance', 'BTCUSDT', '2025-01-01'],
];

describe('build planner (first state of each stage of the build state machine)', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3();
    useLake(s3, 'plan');
    await seed(s3.store('plan'), PARTS);
  }, TIMEOUT);
  afterAll(async () => {
    await s3?.close();
  });

  it(
    'lists the partitions with input in the range, writes them for the ItemReader and returns their count',
    async () => {
      const r = await plan({ stage: 'silver', execution: 'exec-1', request: { from: '2024-02-29', to: '2024-03-01' } });
      expect(r).toEqual({ key: 'jobs/builds/exec-1/silver-items.json', count: 4, from: '2024-02-29', to: '2024-03-01' });
      const items = JSON.parse(Buffer.from(await s3.store('plan').get(r.key)).toString()) as PartitionItem[];
      expect(items).toEqual([
        { dt: '2024-02-29', exchange: 'binance', symbol: 'BTCUSDT' },
        { dt: '2024-02-29', exchange: 'binance', symbol: 'ETHUSDT' },
        { dt: '2024-02-29', exchange: 'kraken', symbol: 'BTC-USD' },
        { dt: '2024-03-01', exchange: 'binance', symbol: 'BTCUSDT' },
      ]);
    },
    TIMEOUT,
  );

  it(
    "without dates builds the day before the schedule's time, and marks Gold items to relabel the day before that",
    async () => {
      const r = await plan({ stage: 'silver', execution: 'daily', request: { time: '2024-03-01T01:00:00Z' } });
      expect(r).toMatchObject({ count: 3, from: '2024-02-29', to: '2024-02-29' });
      // Gold plans from Silver, which holds nothing yet here.
      expect(await plan({ stage: 'gold', execution: 'daily', request: { time: '2024-03-01T01:00:00Z' } })).toMatchObject({
        count: 0,
      });
      const store = new LocalObjectStore(tmpDir('plan-gold'));
      const silver = dataset('silver', 'klines');
      await store.put(`${silver.layer}/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2024-02-29/data.parquet`, 'x');
      expect(await planPartitions(store, 'gold', { from: '2024-02-29', to: '2024-02-29' }, { relabel: true })).toEqual([
        { dt: '2024-02-29', exchange: 'binance', symbol: 'BTCUSDT', relabel: true },
      ]);
    },
    TIMEOUT,
  );

  it(
    'filters by exchange and symbol (upper-cased as the CLI does)',
    async () => {
      const r = await plan({
        stage: 'silver',
        execution: 'f',
        request: { from: '2024-01-01', to: '2025-12-31', exchange: 'binance', symbol: 'btcusdt' },
      });
      expect(r.count).toBe(4);
      const one = await plan({
        stage: 'silver',
        execution: 'g',
        request: { from: '2024-02-29', to: '2024-02-29', exchange: 'kraken', symbol: 'BTC/USD' },
      });
      expect(one.count).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'lists only the dates in range: S3 starts at `from` and stops after `to`',
    async () => {
      const store = s3.store('plan');
      const spec = dataset('bronze', 'klines');
      const prefix = 'bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/';
      expect(await store.listPrefixes(prefix, { from: 'dt=2024-02-29', to: 'dt=2024-03-01' })).toEqual([
        `${prefix}dt=2024-02-29/`,
        `${prefix}dt=2024-03-01/`,
      ]);
      expect(await store.listPrefixes(prefix, { from: 'dt=2024-03-02' })).toEqual([`${prefix}dt=2025-01-01/`]);
      expect(
        await planPartitions(store, 'silver', { from: '2024-02-28', to: '2024-02-28', exchange: 'binance', symbol: 'BTCUSDT' }),
      ).toHaveLength(1);
      expect(
        await planPartitions(store, 'silver', { from: '2024-02-27', to: '2024-02-27', exchange: 'binance', symbol: 'BTCUSDT' }),
      ).toEqual([]);
      expect(spec.layer).toBe('bronze');
    },
    TIMEOUT,
  );

  it(
    'rejects bad input with a UserError naming the problem',
    async () => {
      for (const [event, message] of [
        [
          { stage: 'silver', execution: 'x', request: { from: '2024-03-02', to: '2024-03-01' } },
          'from 2024-03-02 is after to 2024-03-01',
        ],
        [
          { stage: 'silver', execution: 'x', request: { from: '2016-01-01', to: '2026-01-08' } },
          `is 3661 days; build at most ${MAX_BUILD_DAYS} days at a time`,
        ],
        [{ stage: 'silver', execution: 'x', request: { to: '2024-03-01' } }, 'give both event.from and event.to'],
        [
          { stage: 'silver', execution: 'x', request: { from: '2024-03-01', to: '2024-3-9' } },
          'event.to "2024-3-9" is not a date (expected YYYY-MM-DD)',
        ],
        [
          { stage: 'silver', execution: 'x', request: { from: '2024-03-01', to: '2024-03-02', exchange: 'Binance' } },
          'event.exchange "Binance" is not one of',
        ],
        [{ stage: 'bronze', execution: 'x', request: {} }, 'event.stage "bronze" is not silver or gold'],
        [{ stage: 'silver', request: {} }, 'event.execution'],
        [{ stage: 'silver', execution: '../x', request: {} }, 'is not a Step Functions execution name'],
      ] as const) {
        const error = await plan(event).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toContain(message);
      }
    },
    TIMEOUT,
  );
});
