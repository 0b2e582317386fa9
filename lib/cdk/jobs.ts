import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CatalogSync, catalogSyncEnvironment, type CatalogSyncSettings } from './catalog-sync';
import { JobFunction, type JobFunctionProps } from './job-function';
import { JobSchedules } from './schedules';
import { acknowledgeWildcardResources } from './nag';
import { grantPrefixes, type PrefixAccess } from './prefix-access';
import { LAKE_PREFIXES } from './storage';

/**
 * The lake's batch jobs: Lambdas for Silver, Gold, health and the rebuild planner, EventBridge Scheduler
 * schedules (Silver daily, Gold daily, health every 15 minutes), a dead-letter queue for failed scheduled runs,
 * and a Step Functions state machine that rebuilds any date range: Silver for every date (bounded
 * concurrency), then Gold for every date. (The self-heal backfill calls exchange APIs, so it runs with each
 * collector group, in a region its exchange serves: see collector-group.ts.)
 */

export interface LakehouseJobsProps {
  bucket: s3.IBucket;
  lakeUrl: string;
  silverSchedule: string;
  goldSchedule: string;
  rebuildConcurrency: number;
  logRetentionDays: number;
  destroyOnDelete: boolean;
  /** The Glue tables whose projection the catalog job keeps in step with the lake. */
  catalog: CatalogSyncSettings;
}

const { bronze, silver, gold, quarantine, reports } = LAKE_PREFIXES;

/** What each job may touch in the lake (asserted by tests). */
export const JOB_ACCESS: Record<'silver' | 'gold' | 'backfill' | 'health' | 'plan' | 'catalog', PrefixAccess> = {
  // Silver reads what it wrote before too (late data is flagged against the previous build).
  silver: { read: [bronze, silver], list: [bronze, silver, quarantine, reports], write: [silver, quarantine, reports], delete: [silver, quarantine, reports] },
  gold: { read: [silver], list: [silver, gold, reports], write: [gold, reports], delete: [gold, reports] },
  backfill: { read: [bronze], list: [bronze], write: [bronze] },
  health: { read: [bronze, reports, gold], list: [bronze, reports, gold] },
  plan: {},
  // Lists partition folders above `dt` to learn the exchanges, symbols and timeframes each table holds.
  catalog: { list: [bronze, silver, gold, quarantine] },
};

type LakeJob = Exclude<keyof typeof JOB_ACCESS, 'backfill'>;

export class LakehouseJobs extends Construct {
  readonly functions: Record<LakeJob, JobFunction>;
  readonly deadLetterQueue: sqs.Queue;
  readonly rebuild: sfn.StateMachine;
  readonly schedules: JobSchedules;

  constructor(scope: Construct, id: string, props: LakehouseJobsProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    const common = { logRetentionDays: props.logRetentionDays, destroyOnDelete: props.destroyOnDelete, bucket: props.bucket };
    const env = { LAKE_URL: props.lakeUrl };
    this.functions = {
      silver: lakeJob(this, 'silver', { ...common, description: 'Silver: clean one date of Bronze into Silver, quarantine and quality reports', memoryMiB: 3008, timeout: Duration.minutes(15), environment: env, deadLetterQueue: this.deadLetterQueue }),
      gold: lakeJob(this, 'gold', { ...common, description: 'Gold: features_1m and OHLCV tables for one date from Silver', memoryMiB: 2048, timeout: Duration.minutes(15), environment: env, deadLetterQueue: this.deadLetterQueue }),
      health: lakeJob(this, 'health', { ...common, description: 'Health: freshness, completeness and feature validity metrics', memoryMiB: 1024, timeout: Duration.minutes(5), environment: env, deadLetterQueue: this.deadLetterQueue }),
      plan: lakeJob(this, 'plan', { ...common, description: 'Rebuild planner: expands a date range into partitions for the state machine', memoryMiB: 256, timeout: Duration.seconds(30), environment: {} }),
      catalog: lakeJob(this, 'catalog', {
        ...common, description: 'Catalog: Glue tables project the exchanges, symbols and timeframes the lake holds', memoryMiB: 512,
        timeout: Duration.minutes(5), environment: { ...env, ...catalogSyncEnvironment(props.catalog) },
        deadLetterQueue: this.deadLetterQueue,
      }),
    };
    new CatalogSync(this, 'CatalogSync', this.functions.catalog, props.catalog);

    this.schedules = new JobSchedules(this, 'Schedules', this.deadLetterQueue);
    this.schedules.add('SilverDaily', props.silverSchedule, this.functions.silver, 'Silver for yesterday (UTC), 01:00 UTC');
    this.schedules.add('GoldDaily', props.goldSchedule, this.functions.gold, 'Gold for yesterday (UTC), 02:00 UTC');
    this.schedules.add('HealthCheck', 'rate(15 minutes)', this.functions.health, 'Lake freshness, completeness and feature validity');
    this.schedules.add('CatalogSync', props.catalog.schedule, this.functions.catalog, 'Glue projection follows the lake');

    this.rebuild = this.rebuildStateMachine(props);
  }

  private rebuildStateMachine(props: LakehouseJobsProps): sfn.StateMachine {
    const invoke = (id: string, f: JobFunction) =>
      new tasks.LambdaInvoke(this, id, { lambdaFunction: f.fn, payloadResponseOnly: true, retryOnServiceExceptions: true })
        // A bad date or filter fails the same way every time: no retry (the first matching retrier wins).
        .addRetry({ errors: ['UserError'], maxAttempts: 0 })
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

/** An encrypted, SSL-only queue for the events of scheduled runs that failed after every retry. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const q = new sqs.Queue(scope, id, { retentionPeriod: Duration.days(14), encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
  Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the scheduled jobs.' });
  return q;
}

/** A job Lambda with the lake access its name gives it in JOB_ACCESS. */
export function lakeJob(scope: Construct, handler: keyof typeof JOB_ACCESS, props: Omit<JobFunctionProps, 'handler'> & { bucket: s3.IBucket }): JobFunction {
  const { bucket, ...rest } = props;
  const f = new JobFunction(scope, handler[0].toUpperCase() + handler.slice(1), { ...rest, handler });
  grantPrefixes(f.role, bucket, JOB_ACCESS[handler]);
  return f;
}
