import { Duration, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BuildStateMachine } from './build-state-machine';
import { HistoryLoadStateMachine } from './history-load-state-machine';
import { CatalogSync, catalogSyncEnvironment, type CatalogSyncSettings } from './catalog-sync';
import { JobFunction, type JobFunctionProps } from './job-function';
import { JobSchedules } from './schedules';
import { grantPrefixes, type PrefixAccess } from './prefix-access';
import { LAKE_PREFIXES } from './storage';

/**
 * The lake's batch jobs: Lambdas for Silver, Gold, health, and the build state machine's planner and summary; the
 * build state machine itself (Silver then Gold, one invocation per partition), started daily by EventBridge
 * Scheduler and by hand for rebuilds; the health check every 15 minutes; a dead-letter queue for failed scheduled
 * starts. (The self-heal backfill calls exchange APIs, so it runs with each collector group, in a region its
 * exchange serves: see collector-group.ts.)
 */

export interface LakehouseJobsProps {
  /** The lake bucket. */
  readonly bucket: s3.IBucket;
  /** `s3://bucket/` URL of the lake. */
  readonly lakeUrl: string;
  /** EventBridge Scheduler expression of the daily build. */
  readonly buildSchedule: string;
  readonly silverMemoryMiB: number;
  /** Partitions built at once per stage. */
  readonly buildConcurrency: number;
  /** Share of a stage's partitions that may fail before the build stops. */
  readonly buildToleratedFailurePercent: number;
  /** Archive files a history load imports at once. */
  readonly historyConcurrency: number;
  readonly logRetentionDays: number;
  /** Delete the log groups with the stack rather than keep them. */
  readonly destroyOnDelete: boolean;
  /** The Glue tables whose projection the catalog job keeps in step with the lake. */
  readonly catalog: CatalogSyncSettings;
}

const { bronze, silver, gold, quarantine, reports, jobs } = LAKE_PREFIXES;
const qualityReports = `${reports}quality/`;
const goldReports = `${reports}gold/`;

/**
 * What each job may touch in the lake: exactly what its code does, proven by running each job over a realistic lake
 * with every S3 request evaluated against the policy the synthesized template gives its role
 * (test/aws/jobs-under-iam.test.ts; docs/aws-rules.md).
 */
export const JOB_ACCESS: Record<
  'silver' | 'gold' | 'backfill' | 'health' | 'plan' | 'summarize' | 'catalog' | 'historyPlan' | 'historyFile' | 'historySummary',
  PrefixAccess
> = {
  // Silver reads its previous quality report: LATE rows are told against the partition's first build.
  silver: {
    read: [bronze, qualityReports],
    list: [bronze, qualityReports],
    write: [silver, quarantine, qualityReports],
    delete: [quarantine],
  },
  // Gold lists the day before's Gold partitions to relabel them (the daily run).
  gold: { read: [silver], list: [silver, gold], write: [gold, goldReports] },
  backfill: { read: [bronze], list: [bronze], write: [bronze] },
  health: { read: [qualityReports, gold], list: [bronze, qualityReports, gold] },
  plan: { list: [bronze, silver], write: [`${jobs}builds/`] },
  summarize: { read: [`${jobs}map-runs/`] },
  // Lists partition folders above `dt` to learn the exchanges, symbols and timeframes each table holds.
  catalog: { list: [bronze, silver, gold, quarantine] },
  historyPlan: { write: [`${jobs}history/`] },
  /*
   * One archive file (docs/history.md, "Per file"): reads its ledger row (a missing one is told from a refusal by a
   * listing, docs/aws-rules.md), writes its Bronze day objects, ledger row and quarantine objects, lists and deletes
   * the file's own stale day objects, and removes them all again when the file is refused. A busy day's object
   * goes up in parts (lib/storage/s3-upload.ts), and a failed upload is aborted, so its parts are not kept.
   */
  historyFile: {
    read: [`${bronze}import_ledger/`],
    list: [bronze],
    write: [bronze, quarantine],
    delete: [bronze, quarantine],
    multipart: true,
  },
  historySummary: { read: [`${jobs}map-runs/`] },
};

type LakeJob = Exclude<keyof typeof JOB_ACCESS, 'backfill'>;

export class LakehouseJobs extends Construct {
  readonly functions: Record<LakeJob, JobFunction>;
  readonly deadLetterQueue: sqs.Queue;
  readonly build: sfn.StateMachine;
  readonly historyLoad: sfn.StateMachine;
  readonly schedules: JobSchedules;

  constructor(scope: Construct, id: string, props: LakehouseJobsProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    const common = { logRetentionDays: props.logRetentionDays, destroyOnDelete: props.destroyOnDelete, bucket: props.bucket };
    const environment = { LAKE_URL: props.lakeUrl };
    this.functions = {
      silver: lakeJob(this, 'silver', {
        ...common,
        description: 'Silver: clean one partition of Bronze into Silver, quarantine and quality report',
        memoryMiB: props.silverMemoryMiB,
        timeout: Duration.minutes(15),
        environment,
      }),
      gold: lakeJob(this, 'gold', {
        ...common,
        description: 'Gold: features_1m and OHLCV tables for one partition from Silver',
        memoryMiB: 2048,
        timeout: Duration.minutes(15),
        environment,
      }),
      health: lakeJob(this, 'health', {
        ...common,
        description: 'Health: freshness, completeness and feature validity metrics',
        memoryMiB: 1024,
        timeout: Duration.minutes(5),
        environment,
        deadLetterQueue: this.deadLetterQueue,
      }),
      plan: lakeJob(this, 'plan', {
        ...common,
        description: 'Build planner: lists the partitions of a date range for the build state machine',
        memoryMiB: 512,
        timeout: Duration.minutes(5),
        environment,
      }),
      summarize: lakeJob(this, 'summarize', {
        ...common,
        description: 'Build summary: the partitions a build failed to build, from its map-run results',
        memoryMiB: 512,
        timeout: Duration.minutes(2),
        environment,
      }),
      catalog: lakeJob(this, 'catalog', {
        ...common,
        description: 'Catalog: Glue tables project the exchanges, symbols and timeframes the lake holds',
        memoryMiB: 512,
        timeout: Duration.minutes(5),
        environment: { ...environment, ...catalogSyncEnvironment(props.catalog) },
        deadLetterQueue: this.deadLetterQueue,
      }),
      historyPlan: lakeJob(this, 'historyPlan', {
        ...common,
        description: 'History plan: the Binance archive files of a history-load request',
        memoryMiB: 512,
        timeout: Duration.minutes(5),
        environment,
      }),
      // 3,008 MiB: a day of a liquid symbol's trades is held while it is written; /tmp holds the ZIP being read, up to a
      // monthly trades file of a liquid symbol (docs/scaling.md, "History load").
      historyFile: lakeJob(this, 'historyFile', {
        ...common,
        description: 'History file: one Binance archive file downloaded, verified and imported into Bronze',
        memoryMiB: 3008,
        ephemeralStorageMiB: 4096,
        timeout: Duration.minutes(15),
        environment,
      }),
      historySummary: lakeJob(this, 'historySummary', {
        ...common,
        description: 'History summary: the archive files a history load failed to import',
        memoryMiB: 512,
        timeout: Duration.minutes(2),
        environment,
      }),
    };
    new CatalogSync(this, 'CatalogSync', this.functions.catalog, props.catalog);
    this.build = new BuildStateMachine(this, 'Build', {
      bucket: props.bucket,
      plan: this.functions.plan,
      silver: this.functions.silver,
      gold: this.functions.gold,
      summarize: this.functions.summarize,
      catalog: this.functions.catalog,
      maxConcurrency: props.buildConcurrency,
      toleratedFailurePercent: props.buildToleratedFailurePercent,
      logRetentionDays: props.logRetentionDays,
      destroyOnDelete: props.destroyOnDelete,
    }).machine;
    this.historyLoad = new HistoryLoadStateMachine(this, 'HistoryLoad', {
      bucket: props.bucket,
      plan: this.functions.historyPlan,
      file: this.functions.historyFile,
      summarize: this.functions.historySummary,
      build: this.build,
      maxConcurrency: props.historyConcurrency,
      toleratedFailurePercent: props.buildToleratedFailurePercent,
      logRetentionDays: props.logRetentionDays,
      destroyOnDelete: props.destroyOnDelete,
    }).machine;

    this.schedules = new JobSchedules(this, 'Schedules', this.deadLetterQueue);
    this.schedules.addStateMachine(
      'BuildDaily',
      props.buildSchedule,
      this.build,
      'Silver, then Gold, of every partition of yesterday (UTC)',
    );
    this.schedules.add(
      'HealthCheck',
      'rate(15 minutes)',
      this.functions.health,
      'Lake freshness, completeness and feature validity',
    );
    this.schedules.add('CatalogSync', props.catalog.schedule, this.functions.catalog, 'Glue projection follows the lake');
  }
}

/** An encrypted, SSL-only queue for the events of scheduled runs that failed after every retry. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the scheduled jobs.',
  });
  return queue;
}

/** A job Lambda with the lake access its name gives it in JOB_ACCESS. */
export function lakeJob(
  scope: Construct,
  handler: keyof typeof JOB_ACCESS,
  props: Omit<JobFunctionProps, 'handler'> & { bucket: s3.IBucket },
): JobFunction {
  const { bucket, ...rest } = props;
  // historyFile → construct HistoryFile, handler file lambdas/history-file.ts.
  const file = handler.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  const job = new JobFunction(scope, handler[0].toUpperCase() + handler.slice(1), { ...rest, handler: file });
  grantPrefixes(job.role, bucket, JOB_ACCESS[handler]);
  return job;
}
