import * as s3 from 'aws-cdk-lib/aws-s3';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, readConfig } from '../../lib/cdk/config';
import { buildApp } from './build-stack';

const usGroup = {
  name: 'binanceus',
  region: 'us-east-1',
  enabled: true,
  sources: [{ source: 'binanceus' as const, symbols: ['BTCUSDT'] }],
};

describe('cdk-nag AwsSolutions checks', () => {
  // Destroying adds a custom resource that empties each bucket; adopting drops the buckets and the database.
  it.each([{}, { destroyDataOnDelete: true }, { adoptRetainedLake: true }])(
    'finds nothing unacknowledged in the lake stack and a remote collector stack with %j (synth would throw)',
    (removal) => {
      const { app, lake, collectors } = buildApp(
        {
          lakeRegion: 'eu-west-1',
          collectors: [...DEFAULT_CONFIG.collectors, usGroup],
          alarmEmail: 'ops@example.com',
          ...removal,
        },
        { nag: true },
      );
      expect(() => app.synth()).not.toThrow();
      for (const stack of [lake, ...collectors]) {
        const errors = Annotations.fromStack(stack).findError('*', /AwsSolutions/);
        expect(errors).toEqual([]);
      }
    },
    60_000,
  );

  it('would fail synth on an unacknowledged finding (the check is live)', () => {
    const { app, lake } = buildApp({}, { nag: true });
    // A bucket with none of our defaults: no SSL enforcement, no access logs.
    new s3.Bucket(lake, 'Naked');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10|Validation/);
  });
});

describe('regions per exchange', () => {
  it('puts a collector group with its own region in its own stack, writing to the lake bucket by name', () => {
    const { lake, collectors } = buildApp({ lakeRegion: 'eu-west-1', collectors: [...DEFAULT_CONFIG.collectors, usGroup] });
    expect(collectors).toHaveLength(1);
    expect(collectors[0].region).toBe('us-east-1');
    expect(lake.region).toBe('eu-west-1');
    const remote = Template.fromStack(collectors[0]);
    remote.resourceCountIs('AWS::ECS::Service', 1);
    remote.resourceCountIs('AWS::S3::Bucket', 0);
    const env = Object.fromEntries(
      Object.values(remote.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0].Environment.map(
        (e: { Name: string; Value: unknown }) => [e.Name, JSON.stringify(e.Value)],
      ),
    );
    expect(env.LAKE_URL).toContain('crypto-lakehouse-');
    expect(env.LAKE_URL).toContain('-eu-west-1/');
    expect(JSON.parse(env.LAKE_REGION)).toBe('eu-west-1');
    // Its alarms live beside it (alarm actions are regional) with its own topic.
    remote.resourceCountIs('AWS::SNS::Topic', 1);
    // Freshness, silent streams, running task, self-heal errors and its dead letters.
    expect(Object.keys(remote.findResources('AWS::CloudWatch::Alarm')).length).toBe(5);
    // Its self-heal calls the exchange from the exchange's region and writes to the lake's.
    const heal = Object.values(remote.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.SOURCES,
    )!;
    expect(heal.Properties.Environment.Variables).toMatchObject({
      LAKE_REGION: 'eu-west-1',
      SOURCES: JSON.stringify(usGroup.sources),
    });
    remote.resourceCountIs('AWS::Scheduler::Schedule', 1);
    // The lake stack keeps only the in-region collector.
    Template.fromStack(lake).resourceCountIs('AWS::ECS::Service', 1);
  });

  it('needs the lake region when a group runs elsewhere', () => {
    expect(() => buildApp({ collectors: [usGroup] })).toThrow(/lakeRegion/);
  });
});

describe('configuration from cdk.json context', () => {
  const ctx = (values: Record<string, unknown>) => (key: string) => values[key];

  it('takes defaults, and parses -c strings', () => {
    expect(readConfig(ctx({}))).toEqual(DEFAULT_CONFIG);
    const c = readConfig(
      ctx({ bronzeRetentionDays: '14', collectorSpot: 'false', alarmEmail: 'me@example.com', extraSymbols: '["LINKUSDT"]' }),
    );
    expect(c).toMatchObject({
      bronzeRetentionDays: 14,
      collectorSpot: false,
      alarmEmail: 'me@example.com',
      extraSymbols: ['LINKUSDT'],
    });
  });

  it.each([
    [{ bronzeRetentionDays: 'soon' }, /bronzeRetentionDays.*non-negative number/],
    [{ alarmEmail: 'nobody' }, /alarmEmail.*not an e-mail/],
    [{ lakeName: 'Crypto_Lake' }, /lakeName/],
    [{ collectors: [{ name: 'x', region: '', enabled: true, sources: [] }] }, /group x has no sources/],
    [{ collectorSpot: 'maybe' }, /collectorSpot.*true or false/],
  ])('rejects %j', (values, message) => {
    expect(() => readConfig(ctx(values))).toThrow(message);
  });
});
