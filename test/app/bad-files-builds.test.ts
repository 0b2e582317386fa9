import { computeHealth } from '../../lib/app/health';
import { healthMarkdown } from '../../lib/app/health-markdown';
import { runRange } from '../../lib/app/run-range';
import { validateDate, validatedMarkdown } from '../../lib/app/validate';
import { runGold, runScheduledGold, type GoldResult } from '../../lib/gold/gold-job';
import { PartitionsFailedError, type SkippedInput } from '../../lib/lake/build-issues';
import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { reportMarkdown } from '../../lib/silver/quality-report';
import { runSilver } from '../../lib/silver/silver-job';
import { partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import {
  bronzeKlinesKey,
  bronzeTradesKey,
  BTC,
  cleanLake,
  copyInto,
  D1,
  D2,
  damage,
  type Damage,
  DAMAGES,
  ETH,
  FOOTER,
  goldFeaturesKey,
  silverKlinesKey,
} from '../helpers/bad-lake';

/**
 * Silver, Gold and `run` on a lake with bad files (docs/bad-files.md): an unreadable Bronze file is skipped and
 * recorded, an unreadable Silver input fails its Gold partition only, every other partition is built, and the
 * failures come at the end; validate and health find the bad files.
 */

const reasonOf = (how: Damage) => (how === 'empty' ? 'empty file (0 bytes)' : FOOTER);

const { clean, fresh } = cleanLake('bad-builds');

/** The rejection of a build, which must be a PartitionsFailedError. */
async function failed<T>(build: Promise<T>): Promise<PartitionsFailedError<T>> {
  const e = await build.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PartitionsFailedError);
  return e as PartitionsFailedError<T>;
}

describe('Silver with unreadable Bronze', () => {
  it.each(DAMAGES)(
    'skips an unreadable (%s) Bronze file, reports it (verdict at least INVESTIGATE), builds the rest',
    async (how) => {
      const store = await fresh();
      const badKlines = bronzeKlinesKey(BTC, D2, 10);
      const badTrades = bronzeTradesKey(ETH, D2, 0);
      await damage(store, badKlines, how);
      await damage(store, badTrades, how);
      const skipped: SkippedInput[] = [];
      const [btc, eth] = await runSilver({ store, dt: D2, onSkip: (s) => skipped.push(s) });
      expect(skipped).toEqual([
        { layer: 'silver', partition: { ...BTC, dt: D2 }, key: badKlines, reason: reasonOf(how) },
        { layer: 'silver', partition: { ...ETH, dt: D2 }, key: badTrades, reason: reasonOf(how) },
      ]);
      // BTCUSDT lost hour 10 of its klines: 60 minutes missing, the rest built.
      expect(btc.report.klines_1m).toMatchObject({ kept: 1380, missing: 60 });
      expect(btc.report.unreadableFiles).toEqual([{ key: badKlines, reason: reasonOf(how) }]);
      expect(btc.report.reasons).toContain('1 Bronze file unreadable, skipped');
      // ETHUSDT's klines are complete: the unreadable trades file alone keeps it from PASS.
      expect(eth.report).toMatchObject({
        verdict: 'INVESTIGATE',
        reasons: ['1 Bronze file unreadable, skipped'],
        unreadableFiles: [{ key: badTrades, reason: reasonOf(how) }],
      });
      expect(eth.report.datasets!.trades).toMatchObject({ rowsIn: 100, rowsOut: 100 });
      const trades = dataset('silver', 'trades');
      expect((await readTable(store, trades, partitionFileKey(trades, { ...ETH, dt: D2 }))).length).toBe(100);
      const saved = JSON.parse(Buffer.from(await store.get(`reports/quality/dt=${D2}/binance_ETHUSDT.json`)).toString());
      expect(saved.unreadableFiles).toEqual([{ key: badTrades, reason: reasonOf(how) }]);
      expect(reportMarkdown(eth.report)).toContain(
        `## Unreadable Bronze files (skipped)\n\n- \`${badTrades}\`: ${reasonOf(how)}\n`,
      );
    },
    60_000,
  );

  it('does not build a Bronze folder that is not a partition (symbol=X=Y), and says so', async () => {
    const store = await fresh();
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D2, 5),
      `bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=${D2}/hour=05/`,
    );
    const skipped: SkippedInput[] = [];
    const results = await runSilver({ store, dt: D2, onSkip: (s) => skipped.push(s) });
    expect(results.map((r) => [r.symbol, r.report.verdict])).toEqual([
      ['BTCUSDT', 'PASS'],
      ['ETHUSDT', 'PASS'],
    ]);
    expect(skipped).toEqual([
      {
        layer: 'silver',
        key: 'bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/',
        reason: "'symbol=X=Y' is not a partition folder (a symbol cannot hold '=')",
      },
    ]);
    expect((await listAll(store, 'silver/')).filter((o) => o.key.includes('X=Y'))).toEqual([]);
  }, 60_000);
});

describe('Gold with an unreadable Silver input', () => {
  it.each(DAMAGES)(
    'an unreadable (%s) Silver file fails only the Gold partitions reading it, naming it; old Gold stays',
    async (how) => {
      const store = await fresh();
      const bad = silverKlinesKey(ETH, D1); // D2's warm-up
      await damage(store, bad, how);
      const before = await store.get(goldFeaturesKey(ETH, D2));
      const e = await failed(runGold({ store, dt: D2 }));
      expect(e.built.map((r: GoldResult) => r.symbol)).toEqual(['BTCUSDT']);
      expect(e.failures).toEqual([{ layer: 'gold', partition: { ...ETH, dt: D2 }, file: bad, reason: reasonOf(how) }]);
      expect(e.name).toBe('PartitionsFailed');
      expect(e.message).toBe(`gold binance ETHUSDT ${D2} failed: ${bad}: ${reasonOf(how)}`);
      expect(Buffer.from(await store.get(goldFeaturesKey(ETH, D2))).equals(Buffer.from(before))).toBe(true);
    },
    60_000,
  );

  it('does not build Gold for a Silver folder that is not a partition (symbol=X=Y), and says so', async () => {
    const store = await fresh();
    await copyInto(store, silverKlinesKey(BTC, D2), `silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=${D2}/`);
    const skipped: SkippedInput[] = [];
    const results = await runGold({ store, dt: D2, onSkip: (s) => skipped.push(s) });
    expect(results.map((r) => r.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(skipped).toEqual([
      {
        layer: 'gold',
        key: 'silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/',
        reason: "'symbol=X=Y' is not a partition folder (a symbol cannot hold '=')",
      },
    ]);
    expect((await listAll(store, 'gold/')).filter((o) => o.key.includes('X=Y'))).toEqual([]);
  }, 60_000);

  it('the daily run relabels and builds every other partition, then lists both failures', async () => {
    const store = await fresh();
    const bad = silverKlinesKey(ETH, D1);
    await damage(store, bad, 'truncated');
    const e = await failed(runScheduledGold({ store, dt: D2 }));
    expect(e.built.relabelled.map((r) => [r.symbol, r.dt])).toEqual([['BTCUSDT', D1]]);
    expect(e.built.built.map((r) => [r.symbol, r.dt])).toEqual([['BTCUSDT', D2]]);
    expect(e.failures.map((f) => [f.partition.dt, f.partition.symbol, f.file])).toEqual([
      [D1, 'ETHUSDT', bad],
      [D2, 'ETHUSDT', bad],
    ]);
    expect(e.message.split('\n')).toEqual([
      '2 partitions failed:',
      `gold binance ETHUSDT ${D1} failed: ${bad}: ${FOOTER}`,
      `gold binance ETHUSDT ${D2} failed: ${bad}: ${FOOTER}`,
    ]);
  }, 60_000);
});

/** A lake folder whose disk refuses one key: a partition that fails for a reason other than its input. */
class RefusingStore extends LocalObjectStore {
  constructor(
    root: string,
    private readonly refused: string,
  ) {
    super(root);
  }
  override async put(key: string, body: Uint8Array | string): Promise<void> {
    if (key === this.refused) throw new Error('ENOSPC: no space left on device');
    return super.put(key, body);
  }
}

describe('run over a range', () => {
  it('goes on past a failed Silver and a failed Gold partition, then throws the list with everything built', async () => {
    const copy = await fresh();
    const store = new RefusingStore(copy.localRoot, silverKlinesKey(BTC, D2));
    const bad = silverKlinesKey(ETH, D1);
    await damage(store, bad, 'text');
    const e = await failed(runRange({ store, from: D2, to: D2, onSkip: () => undefined }));
    const built = e.built;
    expect(built.silver.map((r) => r.symbol)).toEqual(['ETHUSDT']);
    expect(built.gold.map((r) => r.symbol)).toEqual(['BTCUSDT']);
    expect(e.failures).toEqual([
      { layer: 'silver', partition: { ...BTC, dt: D2 }, reason: 'ENOSPC: no space left on device' },
      { layer: 'gold', partition: { ...ETH, dt: D2 }, file: bad, reason: FOOTER },
    ]);
  }, 60_000);
});

describe('validate and health find bad files', () => {
  it("validate lists each partition's bad files in every layer", async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(ETH, D2, 3), 'empty');
    await damage(store, silverKlinesKey(ETH, D2, '15m'), 'text');
    await damage(store, goldFeaturesKey(BTC, D2), 'truncated');
    const checked = await validateDate(store, D2);
    expect(checked.map((v) => [v.report.symbol, v.badFiles.map((b) => [b.layer, b.view, b.key, b.reason])])).toEqual([
      ['BTCUSDT', [['gold', 'gold_features_1m', goldFeaturesKey(BTC, D2), FOOTER]]],
      [
        'ETHUSDT',
        [
          ['bronze', 'bronze_klines', bronzeKlinesKey(ETH, D2, 3), 'empty file (0 bytes)'],
          ['silver', 'silver_klines', silverKlinesKey(ETH, D2, '15m'), FOOTER],
        ],
      ],
    ]);
    const md = validatedMarkdown(checked[1]);
    expect(md).toContain(
      `## Bad files of this partition\n\nbronze: 1\n\n- \`${bronzeKlinesKey(ETH, D2, 3)}\` (bronze_klines): empty file (0 bytes)\n`,
    );
    expect(md).toContain('silver: 1\n');
    expect((await validateDate(store, D1)).every((v) => v.badFiles.length === 0)).toBe(true);
  }, 60_000);

  it('health counts and names the bad files per layer, folders included, and is not OK while there are any', async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(BTC, D1, 2), 'truncated');
    await damage(store, silverKlinesKey(ETH, D1), 'empty');
    await damage(store, goldFeaturesKey(ETH, D2), 'text');
    await copyInto(store, goldFeaturesKey(BTC, D1), 'gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/');
    const h = await computeHealth(store, Date.now(), { staleAfterSeconds: 10 * 365 * 86_400 });
    expect(h.ok).toBe(false);
    expect(h.badFiles.scope).toBe('lake');
    expect(h.badFiles.count).toBe(4);
    const byLayer = Object.entries(h.badFiles.layers).map(([layer, v]) => [layer, [v.count, v.files.map((f) => f.key)]]);
    expect(Object.fromEntries(byLayer)).toEqual({
      bronze: [1, [bronzeKlinesKey(BTC, D1, 2)]],
      silver: [1, [silverKlinesKey(ETH, D1)]],
      gold: [2, ['gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/', goldFeaturesKey(ETH, D2)]],
    });
    expect(h.problems).toEqual([
      `bronze: 1 bad file: ${bronzeKlinesKey(BTC, D1, 2)} (bronze_klines): ${FOOTER}`,
      `silver: 1 bad file: ${silverKlinesKey(ETH, D1)} (silver_klines): empty file (0 bytes)`,
      'gold: 2 bad files: folder gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/ (gold_features_1m, 1 file): ' +
        `'dt=notadate' is not a date partition (dt=YYYY-MM-DD); ${goldFeaturesKey(ETH, D2)} (gold_features_1m): ${FOOTER}`,
    ]);
    // ETHUSDT's newest Gold cannot be read: its validity comes from the newest one that can.
    expect(h.gold.map((g) => [g.symbol, g.dt])).toEqual([
      ['BTCUSDT', D2],
      ['ETHUSDT', D1],
    ]);
    expect(healthMarkdown(h)).toContain(`| silver | silver_klines | \`${silverKlinesKey(ETH, D1)}\` | empty file (0 bytes) |`);
  }, 60_000);

  it('health without the whole-lake check reports what the Silver build recorded and the Gold it reads', async () => {
    const store = await fresh();
    const bad = bronzeKlinesKey(ETH, D2, 7);
    await damage(store, bad, 'truncated');
    await runSilver({ store, dt: D2, onSkip: () => undefined });
    await damage(store, goldFeaturesKey(BTC, D2), 'empty');
    const h = await computeHealth(store, Date.now(), { staleAfterSeconds: 10 * 365 * 86_400, checkEveryFile: false });
    expect(h.badFiles).toEqual({
      scope: 'recorded',
      count: 2,
      layers: {
        bronze: { count: 1, files: [{ layer: 'bronze', view: 'bronze_klines', key: bad, reason: FOOTER }] },
        gold: {
          count: 1,
          files: [{ layer: 'gold', view: 'gold_features_1m', key: goldFeaturesKey(BTC, D2), reason: 'empty file (0 bytes)' }],
        },
      },
    });
    expect(h.ok).toBe(false);
    const clean2 = await computeHealth(clean, Date.now(), { staleAfterSeconds: 10 * 365 * 86_400 });
    expect(clean2).toMatchObject({ ok: true, problems: [], badFiles: { scope: 'lake', count: 0, layers: {} } });
  }, 60_000);
});
