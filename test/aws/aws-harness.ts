import fs from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Template } from 'aws-cdk-lib/assertions';
import type { LakehouseConfig } from '../../lib/cdk/config';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { buildApp } from '../cdk/build-stack';
import { startGlue, type FakeGlue, type StoredTable } from '../helpers/glue';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { asRole, attachIamGate, RequestLog, RolePolicy } from './iam-gate';
import { runLocally, type LocalRunResult } from './local-sfn';
import { ResolvedTemplate, type CfnTemplate } from './template';

/**
 * The deployed lake, as far as it can run on one machine: the synthesized template (resolved for a fixed account and
 * region), s3rver holding a bucket of the lake's real name, the S3 client the Lambda handlers use with the IAM gate in
 * front, and the synthesized build state machine executed with its Task states bound to the in-process handlers,
 * each invocation running as its function's role.
 */

export interface AwsLake {
  t: ResolvedTemplate;
  s3: LocalS3;
  /** The Glue Data Catalog stand-in, seeded with the template's tables. */
  glue: FakeGlue;
  bucket: string;
  log: RequestLog;
  /** The gated client every handler's store uses (through LAKE_URL/S3_ENDPOINT). */
  client: S3Client;
  /** The lake under the gate: use inside `asRole`. */
  gated: S3ObjectStore;
  /** The role of a Lambda function, by the logical-id prefix of the function (e.g. `JobsSilver`). */
  functionRole(prefix: string): RolePolicy;
  /** The build state machine's execution role. */
  machineRole(): RolePolicy;
  runBuild(input: unknown, opts?: { executionName?: string; template?: ResolvedTemplate }): Promise<LocalRunResult>;
  /**
   * Any synthesized state machine, by the logical-id prefix of its resource. `tasks` binds Task states that invoke no
   * Lambda (a nested `states:startExecution`) by state name.
   */
  runMachine(
    prefix: string,
    input: unknown,
    opts?: { executionName?: string; tasks?: Record<string, (input: unknown) => Promise<unknown>> },
  ): Promise<LocalRunResult>;
  /** A state machine's execution role, by the logical-id prefix of the machine. */
  stateMachineRole(prefix: string): RolePolicy;
  close(): Promise<void>;
}

/** Handler module of each Lambda, by the logical-id prefix CDK gives its function. */
const HANDLERS: Record<
  string,
  () => Promise<{ handler: (event: unknown, ctx?: { awsRequestId?: string }) => Promise<unknown> }>
> = {
  JobsSilverFunction: () => import('../../lambdas/silver'),
  JobsGoldFunction: () => import('../../lambdas/gold'),
  JobsPlanFunction: () => import('../../lambdas/plan'),
  JobsSummarizeFunction: () => import('../../lambdas/summarize'),
  JobsHealthFunction: () => import('../../lambdas/health'),
  JobsCatalogFunction: () => import('../../lambdas/catalog'),
  JobsHistoryPlanFunction: () => import('../../lambdas/history-plan'),
  JobsHistoryFileFunction: () => import('../../lambdas/history-file'),
  JobsHistorySummaryFunction: () => import('../../lambdas/history-summary'),
};

/** The lake stack as `cdk deploy` would deploy it (cdk.json's context, feature flags included), resolved. */
export function synthesize(overrides: Partial<LakehouseConfig> = {}): ResolvedTemplate {
  const { lake } = buildApp(overrides);
  return new ResolvedTemplate(Template.fromStack(lake).toJSON() as CfnTemplate);
}

export interface AwsLakeOptions {
  /**
   * When the handlers' store uploads in parts (S3_MULTIPART_THRESHOLD_BYTES, S3_MULTIPART_PART_BYTES): small values
   * run the multipart path with a test lake's small objects. Parts below S3's 5 MiB minimum are allowed by lowering
   * lib-storage's own check (its MIN_PART_SIZE, which the library documents as modified in testing); s3rver has none.
   * @default - the store's defaults (above 64 MiB, in 16 MiB parts)
   */
  multipart?: { thresholdBytes: number; partSizeBytes: number };
}

/** lib-storage's client-side minimum part size (private static; see AwsLakeOptions.multipart). */
const uploadLimits = Upload as unknown as { MIN_PART_SIZE: number };

export async function startAwsLake(t: ResolvedTemplate, options: AwsLakeOptions = {}): Promise<AwsLake> {
  const bucket = t.ref(t.one('AWS::S3::Bucket', 'StorageLakeBucket'));
  const s3 = await startS3(bucket);
  Object.assign(process.env, {
    LAKE_URL: `s3://${bucket}/`,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  const minPartSize = uploadLimits.MIN_PART_SIZE;
  delete process.env.S3_MULTIPART_THRESHOLD_BYTES;
  delete process.env.S3_MULTIPART_PART_BYTES;
  if (options.multipart) {
    process.env.S3_MULTIPART_THRESHOLD_BYTES = String(options.multipart.thresholdBytes);
    process.env.S3_MULTIPART_PART_BYTES = String(options.multipart.partSizeBytes);
    uploadLimits.MIN_PART_SIZE = Math.min(minPartSize, options.multipart.partSizeBytes);
  }
  // The functions' own environment from the template (the lake's location is the test's s3rver).
  for (const id of t.ids('AWS::Lambda::Function', 'Jobs')) {
    const vars =
      (t.resolve(t.resource(id).Properties?.Environment ?? null) as { Variables?: Record<string, string> } | null)?.Variables ??
      {};
    for (const [k, v] of Object.entries(vars)) if (k !== 'LAKE_URL' && k !== 'NODE_OPTIONS') process.env[k] = v;
  }
  const database = String(process.env.GLUE_DATABASE);
  const tables = t
    .ids('AWS::Glue::Table')
    .map((id) => t.resolve((t.resource(id).Properties as { TableInput: never }).TableInput) as unknown as StoredTable);
  const glue = await startGlue(database, tables);
  process.env.GLUE_ENDPOINT = glue.endpoint;
  const { lakeStore } = await import('../../lambdas/shared/store');
  const { glueCatalog } = await import('../../lambdas/shared/glue');
  const store = lakeStore() as S3ObjectStore;
  const log = new RequestLog();
  attachIamGate(store.client, log);
  attachIamGate(glueCatalog().client, log, 'glue');
  const gated = new S3ObjectStore(store.client, bucket);
  const roles = new Map<string, RolePolicy>();
  const roleOf = (tt: ResolvedTemplate, roleId: string) => {
    const key = `${roleId}`;
    if (!roles.has(key)) roles.set(key, RolePolicy.fromTemplate(tt, roleId));
    return roles.get(key)!;
  };
  const functionRole = (prefix: string) => roleOf(t, t.functionRole(t.one('AWS::Lambda::Function', prefix)));
  const machineRole = () => roleOf(t, t.stateMachineRole(t.one('AWS::StepFunctions::StateMachine', 'JobsBuild')));

  const runBuild = (input: unknown, opts: { executionName?: string; template?: ResolvedTemplate } = {}) =>
    run('JobsBuild', input, opts);
  const run = async (
    machinePrefix: string,
    input: unknown,
    opts: {
      executionName?: string;
      template?: ResolvedTemplate;
      tasks?: Record<string, (input: unknown) => Promise<unknown>>;
    } = {},
  ) => {
    const tt = opts.template ?? t;
    const machineId = tt.one('AWS::StepFunctions::StateMachine', machinePrefix);
    const machine = tt.resource(machineId);
    const definition = JSON.parse(tt.text(machine.Properties!.DefinitionString));
    const machineRole = roleOf(tt, tt.stateMachineRole(machineId));
    const tasks: Record<string, (input: unknown) => Promise<unknown>> = { ...opts.tasks };
    for (const [name, fnId] of taskFunctions(definition, tt, Object.keys(tasks))) {
      const prefix = Object.keys(HANDLERS).find((p) => fnId.startsWith(p));
      if (!prefix) throw new Error(`state ${name} invokes ${fnId}, which has no local handler in test/aws/aws-harness.ts`);
      const role = roleOf(tt, tt.functionRole(fnId));
      tasks[name] = async (event) => {
        const { handler } = await HANDLERS[prefix]();
        // Step Functions hands a Lambda task's payload over as JSON, as the real service does.
        return asRole(role, () => handler(JSON.parse(JSON.stringify(event)), { awsRequestId: `${name}-local` }));
      };
    }
    return runLocally(definition, input, {
      tasks,
      executionName: opts.executionName,
      s3: {
        get: (b, key) =>
          asRole(machineRole, async () => Buffer.from(await new S3ObjectStore(store.client, b).get(key)).toString('utf8')),
        put: (b, key, body) => asRole(machineRole, () => new S3ObjectStore(store.client, b).put(key, body)),
      },
    });
  };

  return {
    t,
    s3,
    glue,
    bucket,
    log,
    client: store.client,
    gated,
    functionRole,
    machineRole,
    runBuild,
    runMachine: (prefix, input, opts) => run(prefix, input, opts),
    stateMachineRole: (prefix) => roleOf(t, t.stateMachineRole(t.one('AWS::StepFunctions::StateMachine', prefix))),
    close: async () => {
      uploadLimits.MIN_PART_SIZE = minPartSize;
      delete process.env.S3_MULTIPART_THRESHOLD_BYTES;
      delete process.env.S3_MULTIPART_PART_BYTES;
      await s3.close();
      await glue.close();
    },
  };
}

/** Task states of a definition (nested ones included) and the logical id of the function each invokes. */
function taskFunctions(
  def: { States: Record<string, Record<string, unknown>> },
  t: ResolvedTemplate,
  bound: string[] = [],
): [string, string][] {
  const out: [string, string][] = [];
  const fnIds = t.ids('AWS::Lambda::Function');
  for (const [name, s] of Object.entries(def.States)) {
    if (s.Type === 'Task' && !bound.includes(name)) {
      const fnId = fnIds.find((id) => t.arn(id) === s.Resource);
      if (!fnId) throw new Error(`state ${name} invokes ${String(s.Resource)}, not a function of the template`);
      out.push([name, fnId]);
    }
    const inner = s.ItemProcessor as typeof def | undefined;
    if (inner) out.push(...taskFunctions(inner, t, bound));
  }
  return out;
}

/** Writes what each role asked of S3 to test-results/ (for the maintainers' notes), one section per role. */
export function writeRequestSummary(file: string, log: RequestLog, roles: Record<string, RolePolicy>): void {
  const lines = [`# S3 and Glue requests, per role (${path.basename(file)}; written by the tests in test/aws/)`, ''];
  for (const [label, role] of Object.entries(roles)) {
    lines.push(`## ${label} (${role.name})`, '', ...log.summary(role.name).map((l) => `- ${l}`), '');
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n'));
}
