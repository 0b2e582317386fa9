import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../monitoring/metrics';
import type { CollectorSourceConfig } from './config';
import { JobFunction } from './job-function';
import { acknowledgeWildcardResources } from './nag';
import { grantPrefixes, type PrefixAccess } from './prefix-access';
import { LAKE_PREFIXES } from './storage';

/**
 * The batch side: one Lambda per handler of `lambdas/` (Silver, Gold, self-heal backfill, health, rebuild
 * planner), EventBridge Scheduler schedules (Silver daily, Gold daily, self-heal hourly, health every
 * 15 minutes), a dead-letter queue for failed scheduled runs, and a Step Functions state machine that
 * rebuilds any date range: Silver for every date (bounded concurrency), then Gold for every date.
 */

export interface LakehouseJobsProps {
  bucket: s3.IBucket;
  lakeUrl: string;
  sources: CollectorSourceConfig[];
  silverSchedule: string;
  goldSchedule: string;
  selfHealSchedule: string;
  selfHealHours: number;
  rebuildConcurrency: number;
  logRetentionDays: number;
  destroyOnDelete: boolean;
}

const { bronze, silver, gold, quarantine, reports } = LAKE_PREFIXES;

/** What each job may touch in the lake (asserted by tests). */
export const JOB_ACCESS: Record<'silver' | 'gold' | 'backfill' | 'health' | 'plan', PrefixAccess> = {
  // Silver reads what it wrote before too (late data is flagged against the previous build).
  silver: { read: [bronze, silver], write: [silver, quarantine, reports], delete: true },
  gold: { read: [silver], write: [gold], delete: true },
  backfill: { read: [bronze], write: [bronze] },
  health: { read: [bronze, reports, gold] },
  plan: {},
};

export class LakehouseJobs extends Construct {
  readonly functions: Record<keyof typeof JOB_ACCESS, JobFunction>;
  readonly deadLetterQueue: sqs.Queue;
  readonly rebuild: sfn.StateMachine;
  readonly schedules: scheduler.Schedule[];

  constructor(scope: Construct, id: string, props: LakehouseJobsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the scheduled jobs.' });

    const common = { logRetentionDays: props.logRetentionDays, destroyOnDelete: props.destroyOnDelete };
    const env = { LAKE_URL: props.lakeUrl, METRICS_NAMESPACE };
    const job = (handler: keyof typeof JOB_ACCESS, description: string, memoryMiB: number, timeout: Duration, extraEnv: Record<string, string> = {}, async = true) => {
      const f = new JobFunction(this, handler[0].toUpperCase() + handler.slice(1), {
        ...common, handler, description, memoryMiB, timeout, environment: { ...env, ...extraEnv },
        deadLetterQueue: async ? this.deadLetterQueue : undefined,
      });
      grantPrefixes(f.role, props.bucket, JOB_ACCESS[handler]);
      return f;
    };
    this.functions = {
      silver: job('silver', 'Silver: clean one date of Bronze into Silver, quarantine and quality reports', 3008, Duration.minutes(15)),
      gold: job('gold', 'Gold: features_1m and OHLCV tables for one date from Silver', 2048, Duration.minutes(15)),
      backfill: job('backfill', 'Self-heal: backfill missing recent minutes from exchange REST APIs into Bronze', 1024, Duration.minutes(10),
        { SOURCES: JSON.stringify(props.sources), SELF_HEAL_HOURS: String(props.selfHealHours) }),
      health: job('health', 'Health: freshness, completeness and feature validity metrics', 1024, Duration.minutes(5)),
      plan: job('plan', 'Rebuild planner: expands a date range into partitions for the state machine', 256, Duration.seconds(30), {}, false),
    };

    // One role for every schedule (the targets add invoke rights on exactly the scheduled functions).
    const schedulerRole = new iam.Role(this, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    acknowledgeWildcardResources(schedulerRole, [this.functions.silver, this.functions.gold, this.functions.backfill, this.functions.health].map((f) => `${f.fn.functionArn}:*`),
      'EventBridge Scheduler invokes these functions by ARN; the :* form is how its Lambda target allows their versions and aliases.');
    const every = (expression: string, f: JobFunction, name: string, description: string, input: Record<string, unknown> = {}) =>
      new scheduler.Schedule(this, name, {
        description,
        schedule: scheduler.ScheduleExpression.expression(expression),
        target: new targets.LambdaInvoke(f.fn, {
          role: schedulerRole,
          input: scheduler.ScheduleTargetInput.fromObject(input),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
        }),
      });
    this.schedules = [
      every(props.silverSchedule, this.functions.silver, 'SilverDaily', 'Silver for yesterday (UTC), 01:00 UTC'),
      every(props.goldSchedule, this.functions.gold, 'GoldDaily', 'Gold for yesterday (UTC), 02:00 UTC'),
      every(props.selfHealSchedule, this.functions.backfill, 'SelfHealHourly', 'Backfill the minutes missing from the last hours', { hours: props.selfHealHours }),
      every('rate(15 minutes)', this.functions.health, 'HealthCheck', 'Lake freshness, completeness and feature validity'),
    ];

    this.rebuild = this.rebuildStateMachine(props);
  }

  private rebuildStateMachine(props: LakehouseJobsProps): sfn.StateMachine {
    const invoke = (id: string, f: JobFunction) =>
      new tasks.LambdaInvoke(this, id, { lambdaFunction: f.fn, payloadResponseOnly: true, retryOnServiceExceptions: true })
        .addRetry({ errors: ['States.ALL'], interval: Duration.seconds(20), maxAttempts: 3, backoffRate: 2 });
    const overDates = (id: string, f: JobFunction) => {
      const map = new sfn.Map(this, id, {
        itemsPath: sfn.JsonPath.stringAt('$.plan.dates'),
        maxConcurrency: props.rebuildConcurrency,
        resultPath: sfn.JsonPath.DISCARD,
      });
      map.itemProcessor(invoke(`${id}Partition`, f));
      return map;
    };
    const plan = new tasks.LambdaInvoke(this, 'PlanPartitions', {
      lambdaFunction: this.functions.plan.fn, payloadResponseOnly: true, resultPath: '$.plan',
    });
    // All Silver first: Gold for a date reads the Silver of the days before it for warm-up.
    const definition = plan.next(overDates('SilverEachDate', this.functions.silver)).next(overDates('GoldEachDate', this.functions.gold));
    const logGroup = new logs.LogGroup(this, 'RebuildLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const machine = new sfn.StateMachine(this, 'Rebuild', {
      comment: 'Rebuild a date range: input {"from":"YYYY-MM-DD","to":"YYYY-MM-DD","exchange"?: "...","symbol"?: "..."}',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeWildcardResources(machine.role, [this.functions.plan, this.functions.silver, this.functions.gold].map((f) => `${f.fn.functionArn}:*`),
      'Step Functions invokes these functions by ARN; the :* form is how its LambdaInvoke task allows their versions and aliases.');
    Validations.of(machine.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and CloudWatch Logs delivery for Step Functions take no resource-level permissions.' });
    return machine;
  }
}
