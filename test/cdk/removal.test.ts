import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { dataRemovalWarning } from '../../lib/cdk/app';
import { DEFAULT_CONFIG, readConfig, type LakehouseConfig } from '../../lib/cdk/config';
import { buildApp } from './build-stack';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Resources = Record<string, Resource>;

/**
 * Where each resource type of our templates carries a name we choose, which a kept resource would still hold on
 * the next deploy. `null`: CloudFormation generates the name, or the name need not be unique (a named query, a
 * task definition family that just gains a revision, an inline policy scoped to its role). A type missing here
 * fails the test, so whoever adds one decides.
 */
const NAME_PATH: Record<string, string | null> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::S3::BucketPolicy': 'Bucket',
  'AWS::Glue::Database': 'DatabaseInput.Name',
  'AWS::Glue::Table': 'TableInput.Name',
  'AWS::Athena::WorkGroup': 'Name',
  'AWS::Athena::NamedQuery': null,
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Lambda::EventInvokeConfig': null,
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Policy': null,
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SQS::QueuePolicy': null,
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SNS::TopicPolicy': null,
  'AWS::SNS::Subscription': null,
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Lambda::Permission': null,
  'AWS::EC2::VPC': null,
  'AWS::EC2::Subnet': null,
  'AWS::EC2::RouteTable': null,
  'AWS::EC2::SubnetRouteTableAssociation': null,
  'AWS::EC2::Route': null,
  'AWS::EC2::InternetGateway': null,
  'AWS::EC2::VPCGatewayAttachment': null,
  'AWS::EC2::SecurityGroup': 'GroupName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::ClusterCapacityProviderAssociations': null,
  'AWS::ECS::TaskDefinition': null,
  'AWS::ECS::Service': 'ServiceName',
  'Custom::VpcRestrictDefaultSG': null,
  'Custom::S3AutoDeleteObjects': null,
};

/** Intrinsics rendered as text (`<AWS::AccountId>`, `<Bucket.Arn>`), so names can be compared and searched for. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(text).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(text).join(sep);
    }
    if ('Ref' in o) return `<${text(o.Ref)}>`;
    if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    return `{${Object.entries(o)
      .map(([k, x]) => `${k}:${text(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The name `r` is created under, if we choose it (a bucket policy is known by its bucket's name). */
function fixedName(resources: Resources, r: Resource): string | undefined {
  if (!(r.Type in NAME_PATH)) throw new Error(`classify ${r.Type} in NAME_PATH: does it carry a name we choose?`);
  const p = NAME_PATH[r.Type];
  if (p === null) return undefined;
  const value = p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r.Properties);
  if (value === undefined) return undefined;
  if (r.Type === 'AWS::S3::BucketPolicy') {
    const ref = (value as { Ref?: string }).Ref;
    return ref ? fixedName(resources, resources[ref]) : text(value);
  }
  if (r.Type === 'AWS::Glue::Table') return `${text(r.Properties!.DatabaseName)}.${text(value)}`;
  return text(value);
}

const retained = (r: Resource) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete';

/** The lake in eu-west-1 with an in-region collector and one in us-east-1, so both kinds of stack are covered. */
const usGroup = {
  name: 'binanceus',
  region: 'us-east-1',
  enabled: true,
  sources: [{ source: 'binanceus' as const, symbols: ['BTCUSDT'] }],
};
const twoRegions: Partial<LakehouseConfig> = { lakeRegion: 'eu-west-1', collectors: [...DEFAULT_CONFIG.collectors, usGroup] };

function templates(overrides: Partial<LakehouseConfig>): Record<string, Resources> {
  const { lake, collectors } = buildApp({ ...twoRegions, ...overrides });
  return Object.fromEntries(
    [lake, ...collectors].map((s) => [s.stackName, Template.fromStack(s).toJSON().Resources as Resources]),
  );
}

describe('deleting the stack and deploying it again', () => {
  let kept: Record<string, Resources>;
  let adopted: Record<string, Resources>;
  let destroyed: Record<string, Resources>;
  beforeAll(() => {
    kept = templates({});
    adopted = templates({ adoptRetainedLake: true });
    destroyed = templates({ destroyDataOnDelete: true });
  }, 120_000);
  const ofType = (t: Resources, type: string) => Object.values(t).filter((r) => r.Type === type);

  it('knows which resources carry a name we choose, in every stack and setting', () => {
    const named = Object.values(kept).flatMap((t) =>
      Object.values(t)
        .map((r) => [r.Type, fixedName(t, r)])
        .filter(([, n]) => n),
    );
    for (const t of [...Object.values(adopted), ...Object.values(destroyed)]) for (const r of Object.values(t)) fixedName(t, r);
    // What the search should find today; a new named resource shows up here too.
    expect([...new Set(named.map(([type]) => type))].sort()).toEqual([
      'AWS::Athena::WorkGroup',
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
    ]);
  });

  it('with data kept, every kept resource with a fixed name is referenced by name under adoptRetainedLake, not created', () => {
    const keptNamed: string[] = [];
    for (const [stack, t] of Object.entries(kept)) {
      const adoptedResources = Object.values(adopted[stack]);
      const adoptedText = text(adoptedResources);
      for (const r of Object.values(t)) {
        const name = fixedName(t, r);
        if (!name || !retained(r)) continue;
        keptNamed.push(`${r.Type} ${name}`);
        expect(adoptedResources.filter((a) => a.Type === r.Type && fixedName(adopted[stack], a) === name)).toEqual([]);
        expect(adoptedText).toContain(name);
      }
    }
    expect(keptNamed.sort()).toEqual([
      'AWS::Glue::Database crypto_lakehouse',
      'AWS::S3::Bucket crypto-lakehouse-<AWS::AccountId>-<AWS::Region>',
      'AWS::S3::BucketPolicy crypto-lakehouse-<AWS::AccountId>-<AWS::Region>',
    ]);
  });

  it('keeps the buckets with their policies, the Glue database and every log group by default; tables and the rest go', () => {
    const lake = kept.CryptoLakehouse;
    for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::Glue::Database']) {
      for (const r of ofType(lake, type))
        expect([type, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([type, 'Retain', 'Retain']);
    }
    expect(ofType(lake, 'AWS::S3::Bucket')).toHaveLength(2);
    for (const t of Object.values(kept)) {
      expect(ofType(t, 'AWS::Logs::LogGroup').length).toBeGreaterThan(0);
      for (const g of ofType(t, 'AWS::Logs::LogGroup')) expect(g.DeletionPolicy).toBe('Retain');
      expect(ofType(t, 'Custom::S3AutoDeleteObjects')).toEqual([]);
    }
    expect(ofType(lake, 'AWS::Glue::Table').length).toBeGreaterThan(20);
    for (const table of ofType(lake, 'AWS::Glue::Table')) expect(retained(table)).toBe(false);
  });

  it('with destroyDataOnDelete, empties and deletes both buckets, and deletes the database and every log group', () => {
    const lake = destroyed.CryptoLakehouse;
    const buckets = Object.entries(lake).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    const autoDeleted = ofType(lake, 'Custom::S3AutoDeleteObjects').map((r) => (r.Properties!.BucketName as { Ref: string }).Ref);
    expect(autoDeleted.sort()).toEqual(buckets.map(([id]) => id).sort());
    expect(ofType(lake, 'AWS::Glue::Database')).toHaveLength(1);
    for (const t of Object.values(destroyed)) {
      expect(ofType(t, 'AWS::Logs::LogGroup').length).toBeGreaterThan(0);
      // Nothing outlives the stack (no DeletionPolicy means Delete), so nothing can be in the way of the next deploy.
      expect(
        Object.values(t)
          .filter(retained)
          .map((r) => r.Type),
      ).toEqual([]);
    }
  });

  it('under adoptRetainedLake, creates neither bucket nor the database but writes to, and catalogs, the kept ones', () => {
    const lake = adopted.CryptoLakehouse;
    for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::Glue::Database'])
      expect(ofType(lake, type)).toEqual([]);
    const tables = ofType(lake, 'AWS::Glue::Table');
    expect(tables.length).toBe(ofType(kept.CryptoLakehouse, 'AWS::Glue::Table').length);
    for (const table of tables) expect(table.Properties!.DatabaseName).toBe('crypto_lakehouse');
    const lakeUrl = 's3://crypto-lakehouse-<AWS::AccountId>-<AWS::Region>/';
    const silver = ofType(lake, 'AWS::Lambda::Function').find((f) => /Silver/.test(String(f.Properties!.Description)))!
      .Properties!;
    expect(text((silver.Environment as { Variables: { LAKE_URL: unknown } }).Variables.LAKE_URL)).toBe(lakeUrl);
    type WorkGroupConfiguration = { ResultConfiguration: { OutputLocation: unknown } };
    const workgroup = ofType(lake, 'AWS::Athena::WorkGroup')[0].Properties!.WorkGroupConfiguration as WorkGroupConfiguration;
    expect(text(workgroup.ResultConfiguration.OutputLocation)).toBe(`${lakeUrl}athena-results/`);
  });

  it('refuses to adopt a lake it is told to destroy', () => {
    const context: Record<string, unknown> = { adoptRetainedLake: 'true', destroyDataOnDelete: 'true' };
    expect(() => readConfig((k) => context[k])).toThrow(/adoptRetainedLake.*set only one/);
  });
});

describe('the warning when data would be deleted', () => {
  it('names what `cdk destroy` would delete when destroyDataOnDelete is on, and says nothing when it is off', () => {
    const warning = dataRemovalWarning({ ...DEFAULT_CONFIG, destroyDataOnDelete: true, lakeName: 'my-lake' })!;
    expect(warning).toMatch(/^WARNING: destroyDataOnDelete is on/);
    expect(warning).toContain('my-lake-<account>-<region>');
    const inRegion = dataRemovalWarning({ ...DEFAULT_CONFIG, destroyDataOnDelete: true, lakeRegion: 'eu-west-1' });
    expect(inRegion).toContain('crypto-lakehouse-<account>-eu-west-1');
    expect(warning).toMatch(/Glue database/);
    expect(warning).toMatch(/log group/);
    expect(dataRemovalWarning(DEFAULT_CONFIG)).toBeUndefined();
  });

  it('is what bin/app.ts prints on stderr, given the switch as `-c destroyDataOnDelete=true` gives it', () => {
    const run = (context: Record<string, unknown>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
      env.CDK_CONTEXT_JSON = JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] });
      // Without CDK_OUTDIR the app builds its stacks but writes no cloud assembly.
      delete env.CDK_OUTDIR;
      const cwd = path.resolve(__dirname, '../..');
      return spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    };
    const on = run({ destroyDataOnDelete: 'true' });
    expect([on.status, on.stdout]).toEqual([0, '']);
    expect(on.stderr.trim()).toBe(dataRemovalWarning({ ...DEFAULT_CONFIG, destroyDataOnDelete: true }));
    const off = run({});
    expect([off.status, off.stderr]).toEqual([0, '']);
  }, 120_000);
});
