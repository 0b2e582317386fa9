import path from 'node:path';
import { handler as backfill } from '../../lambdas/backfill';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { CollectorService } from '../../lib/collector/service';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startSimulator } from '../../lib/simulator';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import type { S3ObjectStore } from '../../lib/storage/s3-store';
import { openLake } from '../../collector-fargate/config';
import { tmpDir } from '../helpers/sample-rows';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { synthesize, writeRequestSummary } from './aws-harness';
import { asRole, attachIamGate, RequestLog, RolePolicy } from './iam-gate';
import type { ResolvedTemplate } from './template';

/**
 * What runs beside each collector group, under the roles the synthesized template gives them: the Fargate collector
 * (Bronze writes, and the re-upload of what it spooled to disk while S3 failed) and the hourly self-heal (reads Bronze,
 * writes REST-backfilled Bronze). Every S3 request is evaluated against the role's policy (test/aws/iam-gate.ts).
 */

const TIMEOUT = 180_000;
const START = Date.UTC(2024, 4, 6, 10, 0);
const MIN = 60_000;

describe('the collector group under its synthesized IAM policies', () => {
  let t: ResolvedTemplate;
  let s3: LocalS3;
  let raw: ObjectStore;
  let gated: S3ObjectStore;
  const log = new RequestLog();
  /** While true, every PutObject fails as if S3 were down (after IAM allowed it). */
  let outage = false;

  beforeAll(async () => {
    t = synthesize();
    const bucket = t.ref(t.one('AWS::S3::Bucket', 'StorageLakeBucket'));
    s3 = await startS3(bucket);
    raw = s3.store();
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    // The store exactly as the container opens it (collector-fargate/config.ts), then the gate in front of it.
    gated = (await openLake({ lakeUrl: `s3://${bucket}/`, s3Endpoint: s3.endpoint, lakeRegion: 'us-east-1' })) as S3ObjectStore;
    attachIamGate(gated.client, log);
    gated.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (outage && (context as { commandName?: string }).commandName === 'PutObjectCommand') {
          throw Object.assign(new Error('503 Slow Down (test outage)'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
        }
        return next(args);
      },
      { step: 'build', name: 'testOutage' },
    );
  }, TIMEOUT);
  afterAll(async () => {
    if (t) {
      writeRequestSummary(path.join(__dirname, '../../test-results/iam-requests-collector.md'), log, {
        'collector task': RolePolicy.fromTemplate(t, t.one('AWS::IAM::Role', 'CollectorbinanceCollectorTaskTaskRole')),
        'self-heal': RolePolicy.fromTemplate(t, t.functionRole(t.one('AWS::Lambda::Function', 'CollectorbinanceBackfill'))),
      });
    }
    await s3?.close();
  });
  afterEach(() => {
    const denied = log.denied;
    log.clear();
    expect(denied).toEqual([]);
  });

  it(
    'the collector writes Bronze, spools it while S3 fails and re-uploads it, all under its task role',
    async () => {
      const role = RolePolicy.fromTemplate(t, t.one('AWS::IAM::Role', 'CollectorbinanceCollectorTaskTaskRole'));
      const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 8, start: START, end: START + 6 * MIN, speed: 'max' });
      // Nested: the service keeps its state file beside the spool, which must not be a folder other tests share.
      const spoolDir = path.join(tmpDir('iam-spool'), 'spool');
      try {
        const stats = await asRole(role, async () => {
          const service = new CollectorService(
            { sources: [{ source: 'binance', symbols: ['BTCUSDT'], endpoint: sim.wsBaseUrl }], flushIntervalMs: MIN, spoolDir },
            gated,
          );
          outage = true;
          await service.start();
          await sim.untilEnd();
          await service.settled();
          // Everything read so far is written while S3 is down: it must land in the spool.
          await service.flush();
          for (const s of service.snapshot()) expect(s.collector.messages).toBeGreaterThan(0);
          const during = service.spoolStats();
          outage = false;
          const result = await service.stop();
          expect(result.complete).toBe(true);
          return { during, after: service.spoolStats() };
        });
        // Files waited on disk during the outage, and none is left there after the re-upload.
        expect(stats.during?.spooled ?? 0).toBeGreaterThan(0);
        expect(stats.after?.reuploaded ?? 0).toBeGreaterThan(0);
        expect(stats.after?.pendingFiles ?? 0).toBe(0);
      } finally {
        outage = false;
        await sim.stop();
      }
      const keys = (await listAll(raw, 'bronze/trades/')).map((o) => o.key);
      expect(keys.length).toBeGreaterThan(0);
      const ids = Array.from((await readTables(raw, dataset('bronze', 'trades'), keys)).num('trade_id')).sort((a, b) => a - b);
      // Every trade id from first to last, once: nothing lost between the spool and S3.
      expect(ids.at(-1)! - ids[0] + 1).toBe(ids.length);
      const actions = new Set(log.requests.filter((r) => r.role === role.name).map((r) => r.action));
      expect(actions).toEqual(new Set(['s3:PutObject']));
    },
    TIMEOUT,
  );

  it(
    'the self-heal reads Bronze and writes the REST-backfilled minutes under its role',
    async () => {
      const fnId = t.one('AWS::Lambda::Function', 'CollectorbinanceBackfill');
      const role = RolePolicy.fromTemplate(t, t.functionRole(fnId));
      const vars = (t.resolve(t.resource(fnId).Properties!.Environment ?? null) as { Variables: Record<string, string> })
        .Variables;
      const now = START + 5 * 60 * MIN;
      const sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], seed: 4, start: now, speed: 'max', historyDays: 1 });
      try {
        // Bronze for the last hours, except 40 minutes of BTCUSDT the self-heal must fetch (ETHUSDT has nothing).
        const rest = {
          store: raw,
          exchange: 'binance' as const,
          symbol: 'BTCUSDT',
          restBase: sim.restBaseUrl,
          now: () => sim.clock.now(),
        };
        await backfillKlines({ ...rest, from: now - 4 * 60 * MIN, to: now - 100 * MIN });
        await backfillKlines({ ...rest, from: now - 60 * MIN, to: now });
        Object.assign(process.env, {
          ...vars,
          LAKE_URL: `s3://${gated.bucket}/`,
          S3_ENDPOINT: s3.endpoint,
          REST_BASE_BINANCE: sim.restBaseUrl,
        });
        const { lakeStore } = await import('../../lambdas/shared/store');
        attachIamGate((lakeStore() as S3ObjectStore).client, log);
        const result = await asRole(role, () => backfill({ time: new Date(now).toISOString() }));
        const btc = result.symbols.find((x) => x.symbol === 'BTCUSDT')!;
        expect(btc).toMatchObject({ missingMinutes: 40, rows: 40, stillMissing: [], errors: [] });
        expect(result.symbols.find((x) => x.symbol === 'ETHUSDT')).toMatchObject({ errors: [] });
      } finally {
        await sim.stop();
      }
      const actions = new Set(log.requests.filter((r) => r.role === role.name).map((r) => r.action));
      expect(actions).toEqual(new Set(['s3:ListBucket', 's3:GetObject', 's3:PutObject']));
    },
    TIMEOUT,
  );
});
