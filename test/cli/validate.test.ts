import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

describe('lakehouse validate', () => {
  const lake = tmpDir('validate');

  beforeAll(async () => {
    const imported = await lakehouse([
      'import',
      '--file',
      testdataPath('kraken/BTCUSDC_1m_2023Q1.csv'),
      '--dataset',
      'klines',
      '--exchange',
      'kraken',
      '--symbol',
      'BTC/USDC',
      '--lake',
      lake,
    ]);
    expect(imported.code).toBe(0);
    expect((await lakehouse(['silver', '--date', '2023-02-22', '--lake', lake])).code).toBe(0);
  }, 120_000);

  it("prints the partition's quality report and exits 3 on a FAIL verdict", async () => {
    const r = await lakehouse(['validate', '--date', '2023-02-22', '--symbol', 'BTC/USDC', '--lake', lake]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('# Quality report: kraken BTC-USDC 2023-02-22');
    expect(r.stdout).toContain('**Verdict: FAIL** (completeness 44.24 % < 95 %)');
    expect(r.stdout).toContain('- 00:07–01:33 UTC (87 min)');
    const json = JSON.parse(
      (await lakehouse(['validate', '--date', '2023-02-22', '--format', 'json', '--lake', lake])).stdout,
    ) as { verdict: string }[];
    expect(json.map((x) => x.verdict)).toEqual(['FAIL']);
  }, 60_000);

  it('says what to do when there is no report: exit 6, nothing matched', async () => {
    const r = await lakehouse(['validate', '--date', '2023-02-23', '--lake', lake]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('no quality report for 2023-02-23; run lakehouse silver --date 2023-02-23 first');
  }, 30_000);
});
