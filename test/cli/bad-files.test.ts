import path from 'node:path';
import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import {
  bronzeKlinesKey,
  bronzeTradesKey,
  BTC,
  cleanLake,
  copyInto,
  D1,
  D2,
  damage,
  ETH,
  FOOTER,
  goldFeaturesKey,
  silverKlinesKey,
  X_Y,
} from '../helpers/bad-lake';
import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

/**
 * The real `lakehouse` command on a lake with bad files (docs/bad-files.md): query answers every view and warns
 * on stderr, silver/gold/run build what they can and exit 3 with the list, health and validate name the files,
 * and a --lake that does not exist is one line and exit 2.
 */

const WARN = 'lakehouse: warning: skipped';

const { fresh } = cleanLake('cli-bad');

/** stderr without the progress lines (`silver binance …`, `gold 2024-… (1/2)`). */
const messages = (stderr: string) => stderr.split('\n').filter((l) => l && !/^(silver|gold) /.test(l));

describe('lakehouse query on a lake with bad files', () => {
  it('answers every view, warning once per bad file or folder of the views the SQL reads', async () => {
    const store = await fresh();
    const badBronze = bronzeKlinesKey(ETH, D2, 9);
    const lostRows = (await readTable(store, dataset('bronze', 'klines'), badBronze)).length;
    await damage(store, badBronze, 'truncated');
    await damage(store, silverKlinesKey(BTC, D1), 'empty');
    await damage(store, goldFeaturesKey(ETH, D1), 'text');
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D1, 1),
      `bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${D1}/hour=xx/`,
    );
    await copyInto(store, silverKlinesKey(BTC, D2), `silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=${D2}/`);
    await copyInto(store, goldFeaturesKey(BTC, D2), 'gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/');
    const lake = store.localRoot;

    const b = await lakehouse(['query', 'select count(*) as n from bronze_klines', '--format', 'csv', '--lake', lake]);
    expect(b).toMatchObject({ code: 0, stdout: `n\n${4 * 1440 - lostRows}\n` });
    expect(b.stderr.split('\n').filter(Boolean)).toEqual([
      `${WARN} folder bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${D1}/hour=xx/ (bronze_klines, 1 file): ` +
        "'hour=xx' is not an hour partition (hour=00…23)",
      `${WARN} ${badBronze} (bronze_klines): ${FOOTER}`,
    ]);

    const sg = await lakehouse([
      'query',
      `select (select count(*) from silver_klines where timeframe = '1m') as s,
      (select count(*) from gold_features_1m) as g`,
      '--format',
      'json',
      '--lake',
      lake,
    ]);
    expect(sg.code).toBe(0);
    expect(JSON.parse(sg.stdout)).toEqual({ s: String(3 * 1440), g: String(3 * 1440) });
    expect(sg.stderr.split('\n').filter(Boolean)).toEqual([
      `${WARN} ${silverKlinesKey(BTC, D1)} (silver_klines): empty file (0 bytes)`,
      `${WARN} folder silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/ (silver_klines, 1 file): ${X_Y}`,
      `${WARN} folder gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/ (gold_features_1m, 1 file): ` +
        "'dt=notadate' is not a date partition (dt=YYYY-MM-DD)",
      `${WARN} ${goldFeaturesKey(ETH, D1)} (gold_features_1m): ${FOOTER}`,
    ]);

    // A view without bad files: not a word on stderr.
    const o = await lakehouse(['query', 'select count(*) as n from gold_ohlcv_1h', '--format', 'csv', '--lake', lake]);
    expect(o).toEqual({ code: 0, stdout: `n\n${4 * 24}\n`, stderr: '' });
  }, 120_000);

  it('says a --lake that does not exist does not exist: one line, exit 2', async () => {
    const missing = path.join(tmpDir('cli-bad-missing'), 'lakee');
    for (const args of [['query', 'select 1'], ['health'], ['silver', '--date', D1], ['validate', '--date', D1]]) {
      const r = await lakehouse([...args, '--lake', missing]);
      expect([args[0], r]).toEqual([
        args[0],
        { code: 2, stdout: '', stderr: `lakehouse: no lake at ${missing}: no such folder\n` },
      ]);
    }
  }, 120_000);
});

describe('lakehouse silver, gold and run on a lake with bad files', () => {
  it('silver builds every partition, skipping the unreadable Bronze, then lists what it skipped and exits 3', async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(BTC, D2, 4), 'truncated');
    await damage(store, bronzeTradesKey(ETH, D2, 1), 'empty');
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D2, 5),
      `bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=${D2}/hour=05/`,
    );
    const r = await lakehouse(['silver', '--date', D2, '--lake', store.localRoot]);
    expect(r.code).toBe(3);
    const built = JSON.parse(r.stdout) as { symbol: string; verdict: string; reasons: string[] }[];
    expect(built.map((p) => [p.symbol, p.verdict, p.reasons.at(-1)])).toEqual([
      ['BTCUSDT', 'INVESTIGATE', '1 Bronze file unreadable, skipped'],
      ['ETHUSDT', 'INVESTIGATE', '1 Bronze file unreadable, skipped'],
    ]);
    const problems = [
      `silver: skipped bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/: ${X_Y}`,
      `silver binance BTCUSDT ${D2}: skipped ${bronzeKlinesKey(BTC, D2, 4)}: ${FOOTER}`,
      `silver binance ETHUSDT ${D2}: skipped ${bronzeTradesKey(ETH, D2, 1)}: empty file (0 bytes)`,
    ];
    expect(messages(r.stderr)).toEqual([
      ...problems.map((p) => `lakehouse: warning: ${p}`),
      'lakehouse: 3 problems:',
      ...problems.map((p) => `  ${p}`),
    ]);
  }, 120_000);

  it('gold builds the partitions it can read, and fails the one with an unreadable Silver input, naming the file: exit 3', async () => {
    const store = await fresh();
    await damage(store, silverKlinesKey(ETH, D1), 'text');
    const r = await lakehouse(['gold', '--date', D2, '--lake', store.localRoot]);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as { symbol: string; rows: number }[]).map((g) => [g.symbol, g.rows])).toEqual([
      ['BTCUSDT', 1440],
    ]);
    expect(messages(r.stderr)).toEqual([
      'lakehouse: 1 problem:',
      `  gold binance ETHUSDT ${D2} failed: ${silverKlinesKey(ETH, D1)}: ${FOOTER}`,
    ]);
  }, 120_000);

  it('run goes through the whole range, then lists every skipped file and failed partition: exit 3', async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(BTC, D2, 20), 'empty');
    await damage(store, silverKlinesKey(ETH, D1), 'truncated'); // warm-up of D2, outside the range
    const r = await lakehouse(['run', '--from', D2, '--to', D2, '--lake', store.localRoot]);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { silver: { symbol: string }[]; gold: { symbol: string }[] };
    expect([out.silver.map((s) => s.symbol), out.gold.map((g) => g.symbol)]).toEqual([['BTCUSDT', 'ETHUSDT'], ['BTCUSDT']]);
    expect(messages(r.stderr).slice(-3)).toEqual([
      'lakehouse: 2 problems:',
      `  silver binance BTCUSDT ${D2}: skipped ${bronzeKlinesKey(BTC, D2, 20)}: empty file (0 bytes)`,
      `  gold binance ETHUSDT ${D2} failed: ${silverKlinesKey(ETH, D1)}: ${FOOTER}`,
    ]);
  }, 120_000);

  it('a clean build says nothing more and exits 0', async () => {
    const r = await lakehouse(['gold', '--date', D2, '--lake', (await fresh()).localRoot]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toEqual([]);
  }, 120_000);
});

describe('lakehouse health and validate on a lake with bad files', () => {
  it("health names the bad files per layer and exits 3; validate names each partition's and exits 3", async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(ETH, D2, 3), 'empty');
    await damage(store, silverKlinesKey(ETH, D2, '1h'), 'text');
    await damage(store, goldFeaturesKey(BTC, D2), 'truncated');
    const lake = store.localRoot;

    const h = await lakehouse(['health', '--format', 'json', '--stale-after', String(10 * 365 * 86_400), '--lake', lake]);
    expect(h.code).toBe(3);
    const health = JSON.parse(h.stdout);
    expect(health).toMatchObject({ ok: false, badFiles: { scope: 'lake', count: 3 } });
    expect(
      Object.fromEntries(
        Object.entries(health.badFiles.layers as Record<string, { count: number; files: { key: string }[] }>).map(
          ([layer, v]) => [layer, [v.count, v.files.map((f) => f.key)]],
        ),
      ),
    ).toEqual({
      bronze: [1, [bronzeKlinesKey(ETH, D2, 3)]],
      silver: [1, [silverKlinesKey(ETH, D2, '1h')]],
      gold: [1, [goldFeaturesKey(BTC, D2)]],
    });
    const md = await lakehouse(['health', '--stale-after', String(10 * 365 * 86_400), '--lake', lake]);
    expect(md.stdout).toMatch(/^# Lake health: 3 problems\n/);
    expect(md.stdout).toContain(`- gold: 1 bad file: ${goldFeaturesKey(BTC, D2)} (gold_features_1m): ${FOOTER}`);
    expect(md.stdout).toContain('## Bad files (every data file checked)');

    const v = await lakehouse(['validate', '--date', D2, '--format', 'json', '--lake', lake]);
    expect(v.code).toBe(3);
    expect(
      (JSON.parse(v.stdout) as { symbol: string; verdict: string; badFiles: { layer: string; key: string }[] }[]).map((r) => [
        r.symbol,
        r.verdict,
        r.badFiles.map((b) => [b.layer, b.key]),
      ]),
    ).toEqual([
      ['BTCUSDT', 'PASS', [['gold', goldFeaturesKey(BTC, D2)]]],
      [
        'ETHUSDT',
        'PASS',
        [
          ['bronze', bronzeKlinesKey(ETH, D2, 3)],
          ['silver', silverKlinesKey(ETH, D2, '1h')],
        ],
      ],
    ]);
    const vm = await lakehouse(['validate', '--date', D2, '--symbol', 'ETHUSDT', '--lake', lake]);
    expect(vm.code).toBe(3);
    expect(vm.stdout).toContain(
      `## Bad files of this partition\n\nbronze: 1\n\n- \`${bronzeKlinesKey(ETH, D2, 3)}\` (bronze_klines): empty file (0 bytes)\n`,
    );
    const ok = await lakehouse(['validate', '--date', D1, '--lake', lake]);
    expect(ok.code).toBe(0);
  }, 120_000);
});
