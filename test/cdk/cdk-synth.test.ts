import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../helpers/sample-rows';

const ROOT = path.resolve(__dirname, '../..');

/** `npx cdk synth` as a user runs it: the pinned CLI, cdk.json, esbuild bundling, no AWS account and no Docker. */
function cdkSynth(outDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CI: 'true',
      NODE_OPTIONS: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const k of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'CDK_DEFAULT_ACCOUNT',
      'CDK_DEFAULT_REGION',
    ])
      delete env[k];
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--output', outDir],
      { cwd: ROOT, env },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('npx cdk synth (offline, no credentials, no Docker)', () => {
  const out = tmpDir('cdk-out');
  let result: { code: number; output: string };
  beforeAll(async () => {
    result = await cdkSynth(out);
  }, 300_000);

  it('succeeds without a warning or a cdk-nag finding', () => {
    expect(result.output).not.toMatch(/ERROR|WARNING|feature flags are not configured/);
    expect(result.code).toBe(0);
  });

  it('writes the stack template with the expected resources', () => {
    const template = JSON.parse(readFileSync(path.join(out, 'CryptoLakehouse.template.json'), 'utf8'));
    const count = (type: string) =>
      Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === type).length;
    expect(count('AWS::S3::Bucket')).toBe(2);
    expect(count('AWS::ECS::Service')).toBe(1);
    expect(count('AWS::Lambda::Function')).toBeGreaterThanOrEqual(5);
    expect(count('AWS::Scheduler::Schedule')).toBeGreaterThanOrEqual(3);
    expect(count('AWS::Glue::Table')).toBeGreaterThan(20);
    expect(count('AWS::Athena::WorkGroup')).toBe(1);
    expect(count('AWS::CloudWatch::Alarm')).toBeGreaterThanOrEqual(6);
    expect(count('AWS::SNS::Topic')).toBe(1);
    expect(count('AWS::CloudWatch::Dashboard')).toBe(1);
    expect(count('AWS::StepFunctions::StateMachine')).toBe(2); // the build and the history load
  });

  it('bundles every job Lambda with esbuild and stages the collector image context', () => {
    const template = JSON.parse(readFileSync(path.join(out, 'CryptoLakehouse.template.json'), 'utf8'));
    const jobs = Object.entries(template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>).filter(
      ([id, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        /^(Jobs|Collector\w+)(Silver|Gold|Health|Plan|Backfill|Catalog|HistoryPlan|HistoryFile|HistorySummary)Function/.test(id),
    );
    expect(jobs).toHaveLength(9);
    for (const [, fn] of jobs) {
      const dir = path.join(out, fn.Metadata!['aws:asset:path']);
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
    }
    const assets = readdirSync(out).filter((f) => f.startsWith('asset.'));
    const image = assets.find((a) => existsSync(path.join(out, a, 'collector-fargate', 'Dockerfile')));
    expect(image).toBeDefined();
    expect(existsSync(path.join(out, image!, 'node_modules'))).toBe(false);
    expect(existsSync(path.join(out, image!, 'test'))).toBe(false);
  });
});
