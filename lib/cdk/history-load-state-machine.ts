import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  acknowledgeUnattachedMapPolicy,
  deliverLogsAndTraces,
  grantChildExecutions,
  MAP_RUN_RESULTS_PREFIX,
} from './build-state-machine';
import type { JobFunction } from './job-function';
import { acknowledgeWildcardResources } from './nag';
import { LAKE_PREFIXES } from './storage';

/**
 * The history load (docs/history.md, "On AWS"): `{exchange, symbols, datasets, from, to, baseUrl?}` planned onto the
 * Binance archive's files by a Lambda that writes them to `jobs/history/…`; a Distributed Map over that list runs one
 * Lambda per file (download, verify, Bronze day objects, ledger row: the `lakehouse history` importer); then the
 * build state machine rebuilds Silver and Gold for the range as a nested execution (`startExecution.sync:2`: its
 * per-partition fan-out, tolerance and summary are reused whole), and a Lambda summarizes the files' map run.
 */

export interface HistoryLoadStateMachineProps {
  /** The lake bucket. */
  readonly bucket: s3.IBucket;
  /** Plans the request: its archive files. */
  readonly plan: JobFunction;
  /** Imports one archive file into Bronze. */
  readonly file: JobFunction;
  /** Last state: files planned, imported and failed, and the build's summary. */
  readonly summarize: JobFunction;
  /** The build state machine, started for the range once its Bronze is in. */
  readonly build: sfn.StateMachine;
  /** Files imported at once. */
  readonly maxConcurrency: number;
  /**
   * Share of the files that may fail before the load stops (it then fails without building).
   * @default 5
   */
  readonly toleratedFailurePercent?: number;
  readonly logRetentionDays: number;
  /** Delete the log group with the stack rather than keep it. */
  readonly destroyOnDelete: boolean;
}

const HISTORY_ITEMS = `${LAKE_PREFIXES.jobs}history/`;

/*
 * Lambda's own transient failures: throttling (the account's concurrency is shared, docs/scaling.md) and service
 * errors. A file's own failure is not retried: the importer already retried its downloads and wrote why to the ledger.
 */
const LAMBDA_TRANSIENT = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

export class HistoryLoadStateMachine extends Construct {
  readonly machine: sfn.StateMachine;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HistoryLoadStateMachineProps) {
    super(scope, id);
    const tolerated = props.toleratedFailurePercent ?? 5;
    const plan = new tasks.LambdaInvoke(this, 'PlanFiles', {
      lambdaFunction: props.plan.fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ execution: sfn.JsonPath.executionName, request: sfn.JsonPath.objectAt('$.request') }),
      resultPath: '$.plan',
    })
      .addRetry({ errors: ['UserError'], maxAttempts: 0 })
      .addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });

    const files = new sfn.DistributedMap(this, 'ArchiveFiles', {
      itemReader: new sfn.S3JsonItemReader({ bucket: props.bucket, key: sfn.JsonPath.stringAt('$.plan.key') }),
      resultWriterV2: new sfn.ResultWriterV2({ bucket: props.bucket, prefix: MAP_RUN_RESULTS_PREFIX }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: tolerated,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: '$.files',
      label: 'ArchiveFiles',
    });
    files.itemProcessor(
      new tasks.LambdaInvoke(this, 'ImportArchiveFile', { lambdaFunction: props.file.fn, payloadResponseOnly: true }).addRetry({
        errors: LAMBDA_TRANSIENT,
        interval: Duration.seconds(5),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      }),
    );
    const tooManyFailed = new sfn.Fail(this, 'TooManyFilesFailed', {
      error: 'TooManyFilesFailed',
      causePath: sfn.JsonPath.stringAt('$.error.Cause'),
      comment:
        `More than ${tolerated} % of the archive files failed; ` +
        `their results are under ${MAP_RUN_RESULTS_PREFIX}/, reasons in the import ledger.`,
    });
    files.addCatch(tooManyFailed, { errors: ['States.ExceedToleratedFailureThreshold'], resultPath: '$.error' });

    const build = new tasks.StepFunctionsStartExecution(this, 'BuildRange', {
      stateMachine: props.build,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      input: sfn.TaskInput.fromJsonPathAt('$.plan.build'),
      resultSelector: { 'output.$': '$.Output', 'status.$': '$.Status' },
      resultPath: '$.build',
    });
    const summarize = new tasks.LambdaInvoke(this, 'SummarizeLoad', {
      lambdaFunction: props.summarize.fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        plan: sfn.JsonPath.objectAt('$.plan'),
        files: sfn.JsonPath.objectAt('$.files'),
        build: sfn.JsonPath.objectAt('$.build'),
      }),
    }).addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2 });

    // The request is kept under $.request, so the plan, the map run and the build land beside it.
    const start = new sfn.Pass(this, 'Request', { parameters: { 'request.$': '$' } });
    const definition = start.next(plan).next(files).next(build).next(summarize);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.role = this.executionRole(props);
    this.machine = new sfn.StateMachine(this, 'Machine', {
      comment:
        'History load: {"exchange","symbols","datasets","from","to"} from the Binance archive into Bronze, ' +
        'then Silver and Gold for the range.',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(48),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      // As the build's: CDK would grant the item reader and result writer the whole bucket.
      role: this.role.withoutPolicyUpdates(),
    });
    grantChildExecutions(this, this.machine, this.role);
    acknowledgeUnattachedMapPolicy(this.machine);
  }

  /**
   * The execution role, least privilege: invoke its three functions; read its item lists and write the map-run results
   * under jobs/; start the build state machine and follow its execution (`.sync:2` does so through an EventBridge
   * rule Step Functions manages, DescribeExecution and StopExecution); deliver logs and traces.
   */
  private executionRole(props: HistoryLoadStateMachineProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'crypto-lakehouse history-load state machine',
    });
    const functions = [props.plan, props.file, props.summarize];
    const invokable = functions.flatMap((f) => [f.fn.functionArn, `${f.fn.functionArn}:*`]);
    const items = props.bucket.arnForObjects(`${HISTORY_ITEMS}*`);
    const results = props.bucket.arnForObjects(`${MAP_RUN_RESULTS_PREFIX}/*`);
    const buildExecutions = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.build.stateMachineName}:*`;
    const eventsRule =
      `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/` + 'StepFunctionsGetEventsForStepFunctionsExecutionRule';
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeHistoryJobs', actions: ['lambda:InvokeFunction'], resources: invokable }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadHistoryItems', actions: ['s3:GetObject'], resources: [items] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteMapRunResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [results],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartBuild',
        actions: ['states:StartExecution'],
        resources: [props.build.stateMachineArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FollowBuild',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [buildExecutions],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'BuildCompletionEvents',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [eventsRule],
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
      [items, results, buildExecutions],
      'Item lists and map-run results under jobs/ only, and executions of the build state machine only; names are chosen per run.',
    );
    return role;
  }
}
