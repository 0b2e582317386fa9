import path from 'node:path';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';
import { REPO_ROOT } from './repo-root';

/**
 * A Lambda for one handler of `lambdas/`, with our defaults set once: latest Node.js runtime on ARM64,
 * bundled by the locally installed esbuild (no Docker), source maps, its own log group with retention, and
 * its own role allowed to write only that log group (no AWS managed policy).
 */

export interface JobFunctionProps {
  /** Handler file name in `lambdas/`, without extension. */
  readonly handler: string;
  readonly description: string;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  /**
   * Size of /tmp (Lambda allows 512 to 10,240 MiB).
   * @default 512
   */
  readonly ephemeralStorageMiB?: number;
  /** Environment variables besides NODE_OPTIONS (source maps). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  /** Delete the log group with the stack rather than keep it. */
  readonly destroyOnDelete: boolean;
  /**
   * Failed asynchronous invocations (schedules) land here after Lambda's own retries (2).
   * @default - none: a failed asynchronous invocation is dropped after Lambda's default retries
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export class JobFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: JobFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `crypto-lakehouse ${props.handler} job`,
    });
    const ownStreams = `${this.logGroup.logGroupArn}:*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [ownStreams],
      }),
    );
    acknowledgeWildcardResources(
      this.role,
      [ownStreams],
      "Log streams of this function's own log group only; stream names are chosen by Lambda at run time.",
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'lambdas', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorageMiB === undefined ? undefined : Size.mebibytes(props.ephemeralStorageMiB),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.deadLetterQueue ? 2 : undefined,
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Bundle our pinned AWS SDK rather than rely on the runtime's copy.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
  }
}
