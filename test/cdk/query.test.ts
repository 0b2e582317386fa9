import { savedQueries } from '../../lib/queries';
import { defaultTemplate } from './build-stack';

describe('query construct (Athena)', () => {
  const { template } = defaultTemplate();

  it('creates an enforced engine-v3 workgroup with results in the lake, SSE, a scan cutoff and metrics', () => {
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    const wg = Object.values(template.findResources('AWS::Athena::WorkGroup'))[0].Properties;
    expect(wg.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
    });
    expect(JSON.stringify(wg.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toContain('/athena-results/');
  });

  it('saves every SQL file of lib/queries as a named query in the workgroup and database', () => {
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties);
    const files = savedQueries();
    expect(files.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'completeness-per-day',
        'latest-features',
        'ohlcv-per-timeframe',
        'funding-vs-price',
        'gaps',
        'bars-vs-klines',
        'funding-oi-hourly',
        'gaps-with-completeness',
      ]),
    );
    expect(named.map((q) => q.Name).sort()).toEqual(files.map((q) => q.name).sort());
    for (const q of named) {
      expect(q.Database).toBe('crypto_lakehouse');
      expect(q.WorkGroup).toBe('crypto-lakehouse');
      expect(q.QueryString).toBe(files.find((f) => f.name === q.Name)!.sql);
    }
  });
});
