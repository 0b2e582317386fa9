import type { LakeHealth } from '../../lib/app/health';
import { validateDate } from '../../lib/app/validate';
import { Metric } from '../../lib/monitoring/metrics';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { handler as gold } from '../../lambdas/gold';
import { handler as health } from '../../lambdas/health';
import { handler as silver } from '../../lambdas/silver';
import {
  bronzeKlinesKey,
  BTC,
  copyInto,
  damage,
  ETH,
  FOOTER,
  goldFeaturesKey,
  silverKlinesKey,
  writeBronzeDay,
} from '../helpers/bad-lake';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { captureStdout, emfLines, useLake } from './helpers';

/**
 * The Silver, Gold and health handlers on an S3 lake with bad files (docs/bad-files.md), as the build state
 * machine calls them: an unreadable Bronze file is skipped and recorded, an unreadable Silver input fails the
 * invocation with an error naming the file after the other partitions were built, and health reports both.
 */

const DT = '2024-05-02';

describe('handlers on an S3 lake with bad files', () => {
  let s3: LocalS3;
  let store: ObjectStore;
  const badBronze = bronzeKlinesKey(BTC, DT, 3);

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.store('bf');
    useLake(s3, 'bf');
    for (const m of [BTC, ETH]) await writeBronzeDay(store, m, DT);
    await damage(store, badBronze, 'truncated');
    await copyInto(
      store,
      bronzeKlinesKey(ETH, DT, 2),
      `bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=${DT}/hour=02/`,
    );
  }, 120_000);
  afterAll(async () => {
    await s3?.close();
  }, 30_000);

  it('silver skips the unreadable Bronze file, builds both partitions, records it, and builds no non-partition folder', async () => {
    const { result, lines } = await captureStdout(() => silver({ dt: DT }));
    expect(result.partitions).toBe(2);
    expect(result.results.map((r) => [r.symbol, r.verdict, r.rows])).toEqual([
      ['BTCUSDT', 'INVESTIGATE', 1380],
      ['ETHUSDT', 'PASS', 1440],
    ]);
    expect(result.results[0].reasons).toContain('1 Bronze file unreadable, skipped');
    const report = JSON.parse(Buffer.from(await store.get(`reports/quality/dt=${DT}/binance_BTCUSDT.json`)).toString());
    expect(report.unreadableFiles).toEqual([{ key: badBronze, reason: FOOTER }]);
    expect(emfLines(lines).map((e) => e.doc.Symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect((await listAll(store, 'silver/')).filter((o) => o.key.includes('X=Y'))).toEqual([]);
  }, 120_000);

  it('gold fails the invocation for a partition whose Silver input is unreadable, naming the file', async () => {
    const bad = silverKlinesKey(ETH, DT);
    const good = await store.get(bad);
    await damage(store, bad, 'empty');
    try {
      const { result: error, lines } = await captureStdout(() =>
        gold({ dt: DT, ...ETH }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(error).toMatchObject({
        name: 'PartitionsFailed',
        message: `gold binance ETHUSDT ${DT} failed: ${bad}: empty file (0 bytes)`,
      });
      expect(lines).toEqual([]);

      // Both partitions in one invocation: BTCUSDT is built and its metrics emitted before the invocation fails.
      const both = await captureStdout(() =>
        gold({ dt: DT }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect((both.result as Error).message).toBe(`gold binance ETHUSDT ${DT} failed: ${bad}: empty file (0 bytes)`);
      expect(emfLines(both.lines).map((e) => [e.doc.Symbol, e.values[Metric.GoldRows]])).toEqual([['BTCUSDT', 1440]]);
      expect(await store.exists(goldFeaturesKey(BTC, DT))).toBe(true);
      expect(await store.exists(goldFeaturesKey(ETH, DT))).toBe(false);
    } finally {
      await store.put(bad, good);
    }
  }, 120_000);

  it('health reports the Bronze file the Silver build recorded, and is not OK', async () => {
    const { result } = await captureStdout(() => health({}));
    const h: LakeHealth = result;
    expect(h.ok).toBe(false);
    expect(h.badFiles).toEqual({
      scope: 'recorded',
      count: 1,
      layers: { bronze: { count: 1, files: [{ layer: 'bronze', view: 'bronze_klines', key: badBronze, reason: FOOTER }] } },
    });
    expect(h.problems).toContain(`bronze: 1 bad file: ${badBronze} (bronze_klines): ${FOOTER}`);
  }, 60_000);

  it('validate checks the partitions on S3 from the end of each file (ranged reads)', async () => {
    const bad = silverKlinesKey(BTC, DT, '4h');
    await damage(store, bad, 'text');
    const checked = await validateDate(store, DT);
    expect(checked.map((v) => [v.report.symbol, v.badFiles.map((b) => [b.key, b.reason])])).toEqual([
      [
        'BTCUSDT',
        [
          [badBronze, FOOTER],
          [bad, FOOTER],
        ],
      ],
      ['ETHUSDT', []],
    ]);
  }, 60_000);
});
