import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

const LINK = testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');

describe('lakehouse CLI', () => {
  it.each([
    [['frob'], /unknown command 'frob'/],
    [['silver'], /required option '--date/],
    [['silver', '--date', '2024-13-01'], /expected a date YYYY-MM-DD/],
    [
      ['import', '--file', 'missing.csv', '--dataset', 'klines', '--exchange', 'binance', '--symbol', 'X', '--interval', '1m'],
      /^lakehouse: no such file: missing\.csv$/,
    ],
    [
      ['import', '--file', LINK, '--dataset', 'klines', '--exchange', 'bitmex'],
      /expected one of binance, binanceus, binance-futures, kraken/,
    ],
    [['run', '--from', '2023-02-05', '--to', '2023-02-01'], /--from 2023-02-05 is after --to 2023-02-01/],
    [['query', 'selec 1'], /^lakehouse: query failed: Parser Error/],
  ])(
    'answers %j with one line on stderr and exit code 2',
    async (args, message) => {
      // A lake with nothing in it yet: a folder with no layer at all is no lake (test/cli/contract.test.ts).
      const lake = tmpDir('cli-err');
      mkdirSync(path.join(lake, 'bronze'));
      const r = await lakehouse([...args, ...(args[0] === 'frob' ? [] : ['--lake', lake])]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    30_000,
  );

  it('imports, runs and queries a lake, with progress on stderr and clean CSV on stdout', async () => {
    const lake = tmpDir('cli-lake');
    const imp = await lakehouse([
      'import',
      '--file',
      LINK,
      '--dataset',
      'klines',
      '--exchange',
      'binance-futures',
      '--lake',
      lake,
    ]);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ rows: 40_320, symbol: 'LINKUSDT' });
    expect(imp.stderr).toMatch(/import: 40,320 rows/);
    const run = await lakehouse(['run', '--from', '2023-02-01', '--to', '2023-02-02', '--lake', lake]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/gold 2023-02-02 \(2\/2\)/);
    expect(JSON.parse(run.stdout).gold).toHaveLength(2);
    const q = await lakehouse([
      'query',
      'select dt, count(*) as n, max(rsi_14_1m) <= 100 as ok from gold_features_1m group by dt order by dt',
      '--format',
      'csv',
      '--lake',
      lake,
    ]);
    expect(q).toMatchObject({ code: 0, stderr: '' });
    expect(q.stdout).toBe('dt,n,ok\n2023-02-01,1440,true\n2023-02-02,1440,true\n');
    const j = await lakehouse(['query', 'select count(*) as n from silver_klines', '--format', 'json', '--lake', lake]);
    expect(JSON.parse(j.stdout)).toEqual({ n: String(2 * 1440 + 2 * (288 + 96 + 48 + 24 + 6 + 1)) });
    // Archive data from 2023 is not fresh: health says so and exits 3, for scripts and cron.
    const h = await lakehouse(['health', '--format', 'json', '--lake', lake]);
    expect(h.code).toBe(3);
    const health = JSON.parse(h.stdout);
    expect(health.ok).toBe(false);
    expect(health.silver.reports).toEqual([
      expect.objectContaining({ exchange: 'binance-futures', symbol: 'LINKUSDT', verdict: 'PASS' }),
    ]);
    // Gold again for one date: validity totals on stdout, the perpetual is the market itself.
    const g = await lakehouse(['gold', '--date', '2023-02-02', '--lake', lake]);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout)).toEqual([
      expect.objectContaining({
        symbol: 'LINKUSDT',
        rows: 1440,
        inputs: expect.objectContaining({ klines1mRows: 2 * 1440, bookSnapshots: 0 }),
        validity: expect.objectContaining({ invalid: 0, unexpectedNulls: 0, problemFeatures: [] }),
      }),
    ]);
  }, 120_000);

  it('prints the feature catalogue that docs/features.md holds', async () => {
    const r = await lakehouse(['features']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(__dirname, '../../docs/features.md'), 'utf8'));
  }, 30_000);
});
