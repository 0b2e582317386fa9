import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { allDatasets } from '../../lib/schema/registry';
import { registryTables, startGlue, type FakeGlue } from '../helpers/glue';
import type { LocalS3 } from '../helpers/s3rver';
import { tmpDir } from '../helpers/sample-rows';
import { useLake } from './helpers';
import { startS3 } from '../helpers/s3rver';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
/** Lambda entry points: every file directly in lambdas/ (lambdas/shared/ holds their common plumbing). */
const HANDLERS = [
  'backfill',
  'catalog',
  'gold',
  'health',
  'history-file',
  'history-plan',
  'history-summary',
  'plan',
  'silver',
  'summarize',
];

/**
 * The bundles as the CDK's NodejsFunction builds them (esbuild, CommonJS, Node 22), with the AWS SDK bundled
 * rather than taken from the runtime (`bundleAwsSDK: true`): the S3 code then runs the SDK version the tests
 * ran, not whatever the Lambda runtime ships that month.
 */
const LAMBDA_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  metafile: true,
  logLevel: 'silent',
};

/** Native addons or packages that must never reach a Lambda bundle (ARM64 Lambda has no matching binaries). */
const FORBIDDEN = /node_modules\/(?:@duckdb|duckdb|talib|aws-cdk-lib|constructs|cdk-nag|parquetjs-lite|s3rver)\/|\.node$/;

describe('Lambda bundles', () => {
  const outDir = tmpDir('lambda-bundles');
  const built = new Map<string, { bytes: number; inputs: string[] }>();
  let s3: LocalS3;
  let glue: FakeGlue;

  beforeAll(async () => {
    for (const name of HANDLERS) {
      const outfile = path.join(outDir, `${name}.js`);
      const r = await build({ ...LAMBDA_BUILD, entryPoints: [path.join(ROOT, 'lambdas', `${name}.ts`)], outfile });
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      built.set(name, { bytes: (await fs.stat(outfile)).size, inputs: Object.keys((r.metafile as Metafile).inputs) });
    }
    s3 = await startS3();
    useLake(s3, 'bundle');
    glue = await startGlue('lake_db', registryTables({ exchanges: ['binance'], symbols: ['BTCUSDT'] }));
    Object.assign(process.env, {
      GLUE_DATABASE: 'lake_db',
      GLUE_ENDPOINT: glue.endpoint,
      PROJECTED_EXCHANGES: 'binance',
      PROJECTED_SYMBOLS: 'BTCUSDT',
    });
  });
  afterAll(async () => {
    await s3?.close();
    await glue?.close();
  });

  it('covers every handler in lambdas/', async () => {
    const entries = (await fs.readdir(path.join(ROOT, 'lambdas'))).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    expect(entries.sort()).toEqual(HANDLERS);
  });

  it('bundles each handler with the AWS SDK and without native modules or build-time packages', () => {
    for (const [name, b] of built) {
      expect([name, b.inputs.filter((i) => FORBIDDEN.test(i))]).toEqual([name, []]);
      expect([name, b.inputs.some((i) => i.includes('node_modules/@aws-sdk/client-s3/'))]).toEqual([name, true]);
      expect([name, b.inputs.some((i) => i.includes('node_modules/@aws-sdk/client-glue/'))]).toEqual([name, name === 'catalog']);
      // Bundles are well under a megabyte; a jump means something heavy got imported by accident.
      expect([name, b.bytes < 1_200_000]).toEqual([name, true]);
    }
  });

  it('loads every bundle in a plain Node process and runs the plan, health and catalog bundles end to end', async () => {
    // (each handler has its own end-to-end test in-process; here the bundles prove they run without node_modules)
    for (const name of HANDLERS) expect(await runBundle(outDir, name, null, 'typeof')).toBe('function');
    // An empty lake: nothing to build, and the (empty) item list written for the Distributed Map.
    const request = { from: '2024-01-30', to: '2024-02-01' };
    expect(await runBundle(outDir, 'plan', { stage: 'silver', execution: 'bundle', request })).toEqual({
      key: 'jobs/builds/bundle/silver-items.json',
      count: 0,
      ...request,
    });
    expect(await runBundle(outDir, 'health', {})).toMatchObject({ ok: false, bronze: [], silver: { dt: null } });
    // An empty lake: every table read through the bundled Glue client, none changed.
    expect(await runBundle(outDir, 'catalog', {})).toMatchObject({ updated: [], tables: allDatasets().length, warnings: [] });
    expect(glue.calls.filter((c) => c.op === 'GetTable')).toHaveLength(allDatasets().length);
  });
});

/**
 * Requires a bundle in a fresh Node process without the test's tsx loader (as the Lambda runtime would) and
 * prints the handler's type, or its result for `event`.
 */
async function runBundle(dir: string, name: string, event: unknown, what: 'typeof' | 'result' = 'result'): Promise<unknown> {
  const script =
    what === 'typeof'
      ? 'process.stdout.write(JSON.stringify(typeof require(process.argv[1]).handler))'
      : 'require(process.argv[1]).handler(JSON.parse(process.argv[2])).then((r) => process.stdout.write("\\n" + JSON.stringify(r)))';
  const { stdout } = await execFileAsync(process.execPath, ['-e', script, path.join(dir, `${name}.js`), JSON.stringify(event)], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  // EMF lines may precede the result on stdout; the result is the last line.
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
