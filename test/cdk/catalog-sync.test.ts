import path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { syncCatalog } from '../../lib/app/catalog-sync';
import { DEFAULT_CONFIG, projectedExchanges, projectedSymbols } from '../../lib/cdk/config';
import { allDatasets, dataset, tableName } from '../../lib/schema/registry';
import { bronzeFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { memoryCatalog, templateTables } from '../helpers/glue';
import { tmpDir } from '../helpers/sample-rows';
import { defaultTemplate, policyStatements, render } from './build-stack';

/**
 * The catalog job's role, held to IAM's own evaluation (iam-simulate) with the synthesized policy: every S3
 * listing the job makes and every Glue call it needs must be allowed, and nothing beside them.
 */

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BUCKET = 'crypto-lakehouse-lake';
const DB = 'crypto_lakehouse';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/catalog-job`;

type Cfn = Record<string, unknown>;

describe('catalog job in the stack', () => {
  const { template } = defaultTemplate();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Cfn }>;
  const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
  const [catalogFnId, catalogFn] = functions.find(([id]) => id.startsWith('JobsCatalogFunction'))!;

  /** The template's references made concrete, as IAM sees them once deployed. */
  function concrete(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(concrete);
    if (!v || typeof v !== 'object') return v;
    const o = v as Cfn;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(concrete).join(sep);
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
      if (pseudo[ref]) return pseudo[ref];
      const r = resources[ref];
      if (r?.Type === 'AWS::Glue::Database') return (r.Properties.DatabaseInput as Cfn).Name;
      if (r?.Type === 'AWS::Glue::Table') return (r.Properties.TableInput as Cfn).Name;
      throw new Error(`no concrete value for Ref ${ref}`);
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (resources[id]?.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${BUCKET}`;
      return `arn:aws:${id}:${attr}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, concrete(x)]));
  }

  const statements = policyStatements(template, 'JobsCatalogRole');
  const policy = { Version: '2012-10-17', Statement: concrete(statements) };

  async function decision(action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
    const r = await runSimulation(
      {
        request: { principal: ROLE, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
        identityPolicies: [{ name: 'catalog-job', policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (r.resultType === 'error') throw new Error(`simulation refused: ${JSON.stringify(r.errors)}`);
    return r.overallResult;
  }

  const glueArn = (kind: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${kind}`;

  it('grants GetTable and UpdateTable on the catalog, the database and each registry table by name (no wildcard)', () => {
    const glue = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect([glue[0].Action].flat().sort()).toEqual(['glue:GetTable', 'glue:UpdateTable']);
    const arns = [concrete(glue[0].Resource)].flat() as string[];
    const tables = allDatasets().map((d) => glueArn(`table/${DB}/${tableName(d)}`));
    expect(arns.sort()).toEqual([glueArn('catalog'), glueArn(`database/${DB}`), ...tables].sort());
    expect(arns.every((a) => !a.includes('*'))).toBe(true);
  });

  it('lets IAM allow every listing the job makes and every Glue call it needs, and nothing next to them', async () => {
    // A lake with two exchanges, klines at two intervals, and Silver: the job's listings are recorded as S3 would receive them.
    const store = new LocalObjectStore(path.join(tmpDir('catalog-iam'), 'lake'));
    for (const [name, values] of [
      ['klines', { timeframe: '1m', exchange: 'binance', symbol: 'BTCUSDT', dt: '2026-12-01', hour: 0 }],
      ['klines', { timeframe: '1h', exchange: 'kraken', symbol: 'BTC/USD', dt: '2026-12-01', hour: 0 }],
      ['trades', { exchange: 'kraken', symbol: 'BTC/USD', dt: '2026-12-01', hour: 0 }],
    ] as const)
      await store.put(bronzeFileKey(dataset('bronze', name), values, Date.UTC(2026, 11, 1), 'x'), 'x');
    await store.put('silver/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2026-12-01/data.parquet', 'x');
    const listed: string[] = [];
    const listPrefixes = store.listPrefixes.bind(store);
    store.listPrefixes = async (prefix) => {
      listed.push(prefix);
      return listPrefixes(prefix);
    };
    const catalog = memoryCatalog(templateTables(template));
    const configured = { exchanges: projectedExchanges(DEFAULT_CONFIG), symbols: projectedSymbols(DEFAULT_CONFIG) };
    const r = await syncCatalog({ store, catalog, configured });
    expect(r.failed).toEqual([]);
    expect(listed).toEqual(
      expect.arrayContaining([
        'bronze/klines/',
        'bronze/klines/timeframe=1h/',
        'bronze/klines/timeframe=1h/exchange=kraken/',
        'quarantine/trades/',
      ]),
    );

    for (const prefix of new Set(listed)) {
      expect([prefix, await decision('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': prefix })]).toEqual([
        prefix,
        'Allowed',
      ]);
    }
    for (const action of ['glue:GetTable', 'glue:UpdateTable']) {
      for (const t of r.tables) {
        for (const arn of [glueArn('catalog'), glueArn(`database/${DB}`), glueArn(`table/${DB}/${t.table}`)]) {
          expect([action, arn, await decision(action, arn)]).toEqual([action, arn, 'Allowed']);
        }
      }
    }
    const denied: [string, string, Record<string, string>?][] = [
      ['s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'athena-results/' }],
      ['s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': '' }],
      [
        's3:GetObject',
        `arn:aws:s3:::${BUCKET}/bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2026-12-01/hour=00/x.parquet`,
      ],
      ['glue:UpdateTable', glueArn('table/other_db/bronze_klines')],
      ['glue:DeleteTable', glueArn(`table/${DB}/bronze_klines`)],
      ['glue:CreateTable', glueArn(`database/${DB}`)],
      ['glue:BatchCreatePartition', glueArn(`table/${DB}/silver_klines`)],
    ];
    for (const [action, arn, context] of denied) {
      expect([action, arn, await decision(action, arn, context)]).toEqual([action, arn, 'ImplicitlyDenied']);
    }
  }, 60_000);

  it('tells the function its database and the configured exchanges and symbols', () => {
    const env = catalogFn.Properties.Environment.Variables;
    expect(render(env.GLUE_DATABASE)).toMatch(/^<CatalogDatabase\w+>$/);
    expect(env).toMatchObject({ PROJECTED_EXCHANGES: 'binance', PROJECTED_SYMBOLS: 'BTCUSDT,ETHUSDT' });
    expect(render(env.LAKE_URL)).toMatch(/^s3:\/\//);
    // Users invoke it by this name to project a new symbol at once.
    expect(template.findOutputs('CatalogFunctionName').CatalogFunctionName.Value).toEqual({ Ref: catalogFnId });
  });

  it('runs right after each deployment of the stack settles (CloudFormation resets changed tables to the template)', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    const afterDeploy = rules.filter((r) => r.EventPattern?.source?.[0] === 'aws.cloudformation');
    expect(afterDeploy).toHaveLength(1);
    expect(afterDeploy[0].EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
    });
    expect(afterDeploy[0].Targets.map((t: { Arn: unknown }) => render(t.Arn))).toEqual([`<${catalogFnId}.Arn>`]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [catalogFnId, 'Arn'] },
    });
  });
});
