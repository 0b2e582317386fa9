import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startArchiveServer, type RunningArchiveServer } from '../../lib/simulator';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import type { S3ObjectStore } from '../../lib/storage/s3-store';
import { startAwsLake, synthesize, type AwsLake } from './aws-harness';
import type { MapRunRecord } from './local-sfn';

/**
 * The history load as AWS runs it (docs/history.md, "On AWS"): the synthesized history-load state machine executed
 * locally against the simulator's archive, its files' Distributed Map included, every Lambda under its function's role
 * and every S3 request evaluated against that role's synthesized policy; the nested build is the synthesized build
 * state machine, run the same way. Then Bronze, the ledger, Silver and Gold hold the range.
 */

const TODAY = '2025-01-06';
const FROM = '2024-12-30';
const TO = '2024-12-31';
const TIMEOUT = 600_000;
/** Objects above 32 KiB (the day objects) go up in 16 KiB parts, as a busy day's 100 MB object does in 16 MiB ones. */
const MULTIPART_THRESHOLD = 32 * 1024;
const PART_SIZE = 16 * 1024;

/** Map runs of the nested build executions, in order. */
const buildRuns: MapRunRecord[] = [];

const keysUnder = async (store: ObjectStore, prefix: string) => (await listAll(store, prefix)).map((o) => o.key);

describe('the history-load state machine under its synthesized IAM policies', () => {
  let lake: AwsLake;
  let raw: S3ObjectStore;
  let archive: RunningArchiveServer;

  beforeAll(async () => {
    archive = await startArchiveServer({
      today: TODAY,
      symbols: ['BTCUSDT'],
      seed: 3,
      instruments: { BTCUSDT: { tradesPerMinute: 3 } },
    });
    lake = await startAwsLake(synthesize(), { multipart: { thresholdBytes: MULTIPART_THRESHOLD, partSizeBytes: PART_SIZE } });
    raw = lake.s3.store();
  }, TIMEOUT);
  afterAll(async () => {
    await lake?.close();
    await archive?.stop();
  });
  afterEach(() => {
    const denied = lake.log.denied;
    lake.log.clear();
    expect(denied).toEqual([]);
  });

  const load = (executionName: string) =>
    lake.runMachine(
      'JobsHistoryLoad',
      {
        exchange: 'binance',
        symbols: ['BTCUSDT'],
        datasets: ['klines:1m', 'trades'],
        from: FROM,
        to: TO,
        baseUrl: archive.baseUrl,
      },
      {
        executionName,
        tasks: {
          // startExecution.sync:2 of the build state machine: the synthesized build, executed the same way.
          BuildRange: async (input) => {
            const { Input } = input as { Input: unknown };
            const { output, mapRuns } = await lake.runBuild(Input, { executionName: `${executionName}-build` });
            buildRuns.push(...mapRuns);
            return { Output: output, Status: 'SUCCEEDED' };
          },
        },
      },
    );

  it(
    'imports the files into Bronze and the ledger, then builds Silver and Gold for the range, every request allowed',
    async () => {
      const { output, mapRuns } = await load('history-1');
      expect([...mapRuns, ...buildRuns].map((run) => [run.state, run.items, run.succeeded, run.failed])).toEqual([
        ['ArchiveFiles', 4, 4, 0],
        ['SilverPartitions', 2, 2, 0],
        ['GoldPartitions', 2, 2, 0],
      ]);
      expect(output).toMatchObject({
        files: { planned: 4, succeeded: 4, failed: 0, notRun: 0 },
        gaps: [],
        build: { silver: { planned: 2, failed: 0 }, gold: { planned: 2, failed: 0 } },
      });
      const items = JSON.parse(Buffer.from(await raw.get('jobs/history/history-1/files.json')).toString()) as { path: string }[];
      expect(items.map((item) => item.path)).toEqual([
        'data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-12-30.zip',
        'data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-12-31.zip',
        'data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-12-30.zip',
        'data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-12-31.zip',
      ]);
      for (const dt of [FROM, TO]) {
        const bronze = await keysUnder(raw, `bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${dt}/`);
        expect(bronze).toHaveLength(1);
        expect((await readTable(raw, dataset('bronze', 'klines'), bronze[0])).length).toBe(1440);
        expect(await keysUnder(raw, `bronze/trades/exchange=binance/symbol=BTCUSDT/dt=${dt}/`)).toHaveLength(1);
        const ledger = await keysUnder(raw, `bronze/import_ledger/exchange=binance/symbol=BTCUSDT/dt=${dt}/`);
        expect(ledger).toHaveLength(2);
        const silver = `silver/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${dt}/data.parquet`;
        expect((await readTable(raw, dataset('silver', 'klines'), silver)).length).toBe(1440);
        const gold = `gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=${dt}/data.parquet`;
        expect((await readTable(raw, dataset('gold', 'features_1m'), gold)).length).toBe(1440);
      }
      const fileRole = lake.functionRole('JobsHistoryFile').name;
      const writes = lake.log.requests
        .filter((r) => r.role === fileRole && r.action === 's3:PutObject')
        .map((r) => r.resource.split('/')[1]);
      expect([...new Set(writes)]).toEqual(['bronze']);
      // The day objects went up in parts (the ledger rows, under the threshold, in one PUT each), and none was aborted.
      const days = (await listAll(raw, 'bronze/')).filter((o) => !o.key.startsWith('bronze/import_ledger/'));
      expect(days).toHaveLength(4);
      const sent = (command: string) => lake.log.requests.filter((r) => r.role === fileRole && r.command === command);
      expect(days.every((o) => o.size > MULTIPART_THRESHOLD)).toBe(true);
      expect(sent('CreateMultipartUploadCommand')).toHaveLength(4);
      expect(sent('UploadPartCommand')).toHaveLength(days.reduce((n, o) => n + Math.ceil(o.size / PART_SIZE), 0));
      expect(sent('CompleteMultipartUploadCommand')).toHaveLength(4);
      expect(sent('AbortMultipartUploadCommand')).toEqual([]);
      expect(sent('PutObjectCommand').map((r) => r.resource.split('/')[2])).toEqual(Array(4).fill('import_ledger'));
    },
    TIMEOUT,
  );

  it(
    'a second load skips every file after its checksum: no download, no Bronze write',
    async () => {
      const zips = () => archive.log.filter((request) => request.path.endsWith('.zip')).length;
      const before = zips();
      const { output } = await load('history-2');
      expect(output).toMatchObject({ files: { planned: 4, succeeded: 4, failed: 0 } });
      const fileRole = lake.functionRole('JobsHistoryFile').name;
      expect(lake.log.requests.filter((r) => r.role === fileRole && r.action === 's3:PutObject')).toEqual([]);
      expect(zips()).toBe(before);
    },
    TIMEOUT,
  );

  it(
    'the state machine may start the build and nothing in the lake but its item lists and map-run results',
    async () => {
      const role = lake.stateMachineRole('JobsHistoryLoad');
      const build = lake.t.arn(lake.t.one('AWS::StepFunctions::StateMachine', 'JobsBuild'));
      expect(await role.allows('states:StartExecution', build)).toBe(true);
      expect(await role.allows('s3:GetObject', `arn:aws:s3:::${lake.bucket}/jobs/history/x/files.json`)).toBe(true);
      expect(await role.allows('s3:GetObject', `arn:aws:s3:::${lake.bucket}/bronze/x`)).toBe(false);
      expect(await role.allows('s3:PutObject', `arn:aws:s3:::${lake.bucket}/jobs/history/x/files.json`)).toBe(false);
      const fileRole = lake.functionRole('JobsHistoryFile');
      expect(await fileRole.allows('s3:PutObject', `arn:aws:s3:::${lake.bucket}/silver/x`)).toBe(false);
    },
    TIMEOUT,
  );
});
