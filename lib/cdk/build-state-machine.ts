import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { JobFunction } from './job-function';
import { acknowledgeWildcardResources } from './nag';
import { LAKE_PREFIXES } from './storage';

/**
 * The build state machine: Silver, then Gold, one Lambda invocation per (exchange, symbol, date) partition, for the
 * daily run (no input dates: yesterday) and for rebuilds of any range. Each stage is planned by a Lambda that lists
 * the partitions with input and writes them to `jobs/builds/…`, then fanned out by a Distributed Map that reads that
 * list (ItemReader, so no payload limit), runs each partition as its own child execution with retries, tolerates a
 * share of failed partitions, and exports every child's result to `jobs/map-runs/…` (ResultWriter). A last Lambda
 * reads those exports and returns the partitions that failed. docs/aws-rules.md explains the design and its tests.
 */

export interface BuildStateMachineProps {
  /** The lake bucket. */
  readonly bucket: s3.IBucket;
  /** Plans a stage: the partitions it builds. */
  readonly plan: JobFunction;
  /** Builds one Silver partition. */
  readonly silver: JobFunction;
  /** Builds one Gold partition. */
  readonly gold: JobFunction;
  /** Last state: per stage the partitions planned, built and failed (metric BuildFailedPartitions). */
  readonly summarize: JobFunction;
  /** Brings the Glue tables' projections up to date once a build has written (new symbols become queryable). */
  readonly catalog: JobFunction;
  /** Partitions built at once per stage. */
  readonly maxConcurrency: number;
  /** Share of a stage's partitions that may fail before the run stops (it then fails). */
  readonly toleratedFailurePercent: number;
  readonly logRetentionDays: number;
  /** Delete the log group with the stack rather than keep it. */
  readonly destroyOnDelete: boolean;
}

/** Where the Distributed Maps export their child executions' results (under the expiring `jobs/` prefix). */
export const MAP_RUN_RESULTS_PREFIX = `${LAKE_PREFIXES.jobs}map-runs`;
const BUILD_ITEMS = `${LAKE_PREFIXES.jobs}builds/`;

export class BuildStateMachine extends Construct {
  readonly machine: sfn.StateMachine;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BuildStateMachineProps) {
    super(scope, id);
    const plan = (stage: 'silver' | 'gold') =>
      new tasks.LambdaInvoke(this, `Plan${title(stage)}`, {
        lambdaFunction: props.plan.fn,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({
          stage,
          execution: sfn.JsonPath.executionName,
          request: sfn.JsonPath.objectAt('$.request'),
        }),
        resultPath: `$.${stage}.plan`,
      })
        .addRetry({ errors: ['UserError'], maxAttempts: 0 })
        .addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });

    const fanOut = (stage: 'silver' | 'gold', job: JobFunction) => {
      const map = new sfn.DistributedMap(this, `${title(stage)}Partitions`, {
        itemReader: new sfn.S3JsonItemReader({ bucket: props.bucket, key: sfn.JsonPath.stringAt(`$.${stage}.plan.key`) }),
        resultWriterV2: new sfn.ResultWriterV2({ bucket: props.bucket, prefix: MAP_RUN_RESULTS_PREFIX }),
        maxConcurrency: props.maxConcurrency,
        toleratedFailurePercentage: props.toleratedFailurePercent,
        mapExecutionType: sfn.StateMachineType.STANDARD,
        resultPath: `$.${stage}.run`,
        label: `${title(stage)}Partitions`,
      });
      map.itemProcessor(
        new tasks.LambdaInvoke(this, `Build${title(stage)}Partition`, { lambdaFunction: job.fn, payloadResponseOnly: true })
          // A bad request fails the same way every time: no retry (the first matching retrier wins).
          .addRetry({ errors: ['UserError'], maxAttempts: 0 })
          .addRetry({ errors: ['States.ALL'], interval: Duration.seconds(20), maxAttempts: 3, backoffRate: 2 }),
      );
      map.addCatch(tooManyFailed, { errors: ['States.ExceedToleratedFailureThreshold'], resultPath: '$.error' });
      return map;
    };

    const tooManyFailed = new sfn.Fail(this, 'TooManyPartitionsFailed', {
      error: 'TooManyPartitionsFailed',
      causePath: sfn.JsonPath.stringAt('$.error.Cause'),
      comment:
        `More than ${props.toleratedFailurePercent} % of a stage's partitions failed; ` +
        `their results are under ${MAP_RUN_RESULTS_PREFIX}/.`,
    });
    const summarize = new tasks.LambdaInvoke(this, 'Summarize', {
      lambdaFunction: props.summarize.fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ silver: sfn.JsonPath.objectAt('$.silver'), gold: sfn.JsonPath.objectAt('$.gold') }),
    }).addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });

    // A failed catalog update must not fail a build that wrote everything: its own alarm (Lambda errors) reports it,
    // and the hourly run repeats it.
    const syncCatalog = new tasks.LambdaInvoke(this, 'SyncCatalog', {
      lambdaFunction: props.catalog.fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({}),
      resultPath: sfn.JsonPath.DISCARD,
    }).addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 2, backoffRate: 2 });
    syncCatalog.addCatch(summarize, { errors: ['States.ALL'], resultPath: '$.catalogError' });

    // The request is kept under $.request, so each stage's plan and run land beside it.
    const start = new sfn.Pass(this, 'Request', { parameters: { 'request.$': '$' } });
    const definition = start
      .next(plan('silver'))
      .next(fanOut('silver', props.silver))
      .next(plan('gold'))
      .next(fanOut('gold', props.gold))
      .next(syncCatalog)
      .next(summarize);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const functions = [props.plan, props.silver, props.gold, props.summarize, props.catalog];
    this.role = this.executionRole(props.bucket, functions);
    this.machine = new sfn.StateMachine(this, 'Machine', {
      comment:
        'Silver then Gold per partition. Input {} builds yesterday; ' +
        '{"from":"YYYY-MM-DD","to":"YYYY-MM-DD","exchange"?,"symbol"?} rebuilds a range.',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      // Every event, without the payloads: a rebuild of 100,000 partitions logs some 1.2 M events (~$1 of ingestion).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      // CDK would grant the item reader and result writer the whole bucket: the role's statements are ours alone.
      role: this.role.withoutPolicyUpdates(),
    });
    this.grantChildExecutions();
    acknowledgeUnattachedMapPolicy(this.machine);
  }

  /**
   * The execution role, least privilege: invoke the build's functions; read the item lists and write the map-run results
   * under jobs/ (the IAM-evaluated tests run the map runs' S3 requests against exactly these statements); deliver logs
   * and traces (which take no resource-level permissions).
   */
  private executionRole(bucket: s3.IBucket, functions: JobFunction[]): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'crypto-lakehouse build state machine',
    });
    const invokable = functions.flatMap((f) => [f.fn.functionArn, `${f.fn.functionArn}:*`]);
    const items = bucket.arnForObjects(`${BUILD_ITEMS}*`);
    const results = bucket.arnForObjects(`${MAP_RUN_RESULTS_PREFIX}/*`);
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeBuildJobs', actions: ['lambda:InvokeFunction'], resources: invokable }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadBuildItems', actions: ['s3:GetObject'], resources: [items] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteMapRunResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [results],
      }),
    );
    deliverLogsAndTraces(role);
    acknowledgeWildcardResources(
      role,
      functions.map((f) => `${f.fn.functionArn}:*`),
      'Step Functions invokes these functions by ARN; the :* form allows their versions and aliases.',
    );
    acknowledgeWildcardResources(
      role,
      [items, results],
      'The build reads its item lists and writes its map-run results under jobs/ only; keys are chosen per execution.',
    );
    return role;
  }

  private grantChildExecutions(): void {
    grantChildExecutions(this, this.machine, this.role);
  }
}

/**
 * A Distributed Map starts each item as a child execution of its own state machine, so the role may start,
 * describe and stop that machine's executions (and redrive its map runs). A separate policy, created after the
 * machine, because it names the machine.
 */
export function grantChildExecutions(scope: Construct, machine: sfn.StateMachine, role: iam.Role): void {
  const executions = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${machine.stateMachineName}`;
  const policy = new iam.Policy(scope, 'ChildExecutions', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }),
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
        resources: [`${executions}:*`, `${executions}/*`],
      }),
    ],
  });
  acknowledgeWildcardResources(
    policy,
    [`${executions}:*`, `${executions}/*`],
    'Child executions and map runs of this state machine only; their names are chosen per run.',
  );
}

/**
 * CDK still builds its own policy for a Distributed Map's child executions, but with the role immutable it is
 * attached to nothing and never deployed (grantChildExecutions grants the same); cdk-nag checks it anyway.
 */
export function acknowledgeUnattachedMapPolicy(machine: sfn.StateMachine): void {
  const unattached = machine.node.tryFindChild('DistributedMapPolicy') as iam.Policy | undefined;
  if (!unattached) return;
  const resources = (unattached.document.toJSON() as { Statement: { Resource: string | string[] }[] }).Statement.flatMap((st) =>
    [st.Resource].flat(),
  );
  acknowledgeWildcardResources(
    unattached,
    resources,
    "Not deployed: CDK's policy for an immutable role is attached to nothing; ChildExecutions grants these.",
  );
}

/** What every state machine's role needs to deliver its logs and traces (no resource-level permissions exist). */
export function deliverLogsAndTraces(role: iam.Role): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DeliverLogsAndTraces',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing and CloudWatch Logs delivery for Step Functions take no resource-level permissions.',
  });
}

const title = (s: string) => s[0].toUpperCase() + s.slice(1);
