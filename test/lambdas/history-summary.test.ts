import { Metric } from '../../lib/monitoring/metrics';
import { handler as summarize } from '../../lambdas/history-summary';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { captureStdout, emfLines, useLake } from './helpers';

/**
 * The history load's last state: the files' map run, as its ResultWriter exported it, turned into the files not
 * imported, and the HistoryFailedFiles metric behind the alarm of that name (lib/cdk/monitoring.ts).
 */

const TIMEOUT = 60_000;
const PATH = 'data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-12-31.zip';

describe('history-load summary (last state of the history-load state machine)', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startS3();
    useLake(s3, 'history-summary');
    const store = s3.store('history-summary');
    const run = 'jobs/map-runs/run-1';
    const failed = {
      Input: JSON.stringify({ exchange: 'binance', path: PATH }),
      Status: 'FAILED',
      Error: 'ArchiveFileFailed',
      Cause: JSON.stringify({ errorType: 'ArchiveFileFailed', errorMessage: `${PATH}: checksum mismatch after 3 downloads` }),
    };
    await store.put(`${run}/FAILED_0.json`, JSON.stringify([failed]));
    await store.put(`${run}/PENDING_0.json`, JSON.stringify([{ Input: '{}', Status: 'PENDING' }]));
    await store.put(
      `${run}/manifest.json`,
      JSON.stringify({ ResultFiles: { FAILED: [{ Key: `${run}/FAILED_0.json` }], PENDING: [{ Key: `${run}/PENDING_0.json` }] } }),
    );
    await store.put('jobs/map-runs/run-2/manifest.json', JSON.stringify({ ResultFiles: {} }));
  }, TIMEOUT);
  afterAll(async () => {
    await s3?.close();
  });

  const event = (run: string) => ({
    plan: { key: 'jobs/history/x/files.json', count: 4, gaps: [] },
    files: { ResultWriterDetails: { Key: `jobs/map-runs/${run}/manifest.json` } },
    build: { output: { silver: { planned: 2, failed: 0 } }, status: 'SUCCEEDED' },
  });

  it(
    'lists the files not imported with the importer’s reason, and publishes their count',
    async () => {
      const { result, lines } = await captureStdout(() => summarize(event('run-1')));
      expect(result).toMatchObject({
        files: {
          planned: 4,
          succeeded: 2,
          failed: 1,
          notRun: 1,
          failedPartitions: [{ exchange: 'binance', error: 'ArchiveFileFailed', cause: expect.stringContaining(PATH) }],
        },
        gaps: [],
        build: { silver: { planned: 2, failed: 0 } },
      });
      const [emf, ...rest] = emfLines(lines);
      expect(rest).toEqual([]);
      expect(emf.values).toEqual({ [Metric.HistoryFailedFiles]: 2 });
      expect(emf.units).toEqual({ [Metric.HistoryFailedFiles]: 'Count' });
      expect(emf.dimensions).toEqual([[]]);
    },
    TIMEOUT,
  );

  it(
    'publishes 0 for a load that imported every file',
    async () => {
      const { result, lines } = await captureStdout(() => summarize(event('run-2')));
      expect(result).toMatchObject({ files: { planned: 4, succeeded: 4, failed: 0, notRun: 0 } });
      expect(emfLines(lines).map((e) => e.values)).toEqual([{ [Metric.HistoryFailedFiles]: 0 }]);
    },
    TIMEOUT,
  );
});
