import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { restKlineDialect, sourceProfile } from '../exchanges/registry';
import { CollectorFargateService } from './collector-fargate-service';
import type { CollectorGroupConfig, LakehouseConfig } from './config';
import type { JobFunction } from './job-function';
import { deadLetterQueue, lakeJob } from './jobs';
import type { LakehouseMonitoring } from './monitoring';
import { JobSchedules } from './schedules';

/**
 * Everything that talks to one group's exchanges, deployed together in a region those exchanges serve: the
 * Fargate collector, the hourly self-heal that backfills missing minutes from the exchanges' REST APIs, and
 * their alarms (Bronze freshness per exchange, running task, self-heal errors, dead letters).
 */

export interface CollectorGroupProps {
  /** The group's name and sources. */
  readonly group: CollectorGroupConfig;
  /** Sizes, schedules and retention shared by every group. */
  readonly config: LakehouseConfig;
  /** The lake bucket. */
  readonly bucket: s3.IBucket;
  /** `s3://bucket/` URL of the lake. */
  readonly lakeUrl: string;
  /**
   * The bucket's region when the group runs elsewhere.
   * @default - the group's own region
   */
  readonly lakeRegion?: string;
  /** Where the group's alarms go. */
  readonly monitoring: LakehouseMonitoring;
}

export class CollectorGroup extends Construct {
  readonly collector: CollectorFargateService;
  /** Hourly REST backfill of the group's sources that have a REST kline dialect (Binance spot, USD-M); absent when none has. */
  readonly selfHeal?: JobFunction;

  constructor(scope: Construct, id: string, props: CollectorGroupProps) {
    super(scope, id);
    const { group, config, monitoring } = props;
    this.collector = new CollectorFargateService(this, 'Collector', {
      name: group.name,
      bucket: props.bucket,
      lakeUrl: props.lakeUrl,
      lakeRegion: props.lakeRegion,
      sources: group.sources,
      cpu: config.collectorCpu,
      memoryMiB: config.collectorMemoryMiB,
      spot: config.collectorSpot,
      logRetentionDays: config.logRetentionDays,
      destroyOnDelete: config.destroyDataOnDelete,
    });
    const healable = group.sources.filter((source) => restKlineDialect(sourceProfile(source.source)) !== undefined);
    if (healable.length > 0) {
      const dlq = deadLetterQueue(this, 'DeadLetters');
      const selfHeal = lakeJob(this, 'backfill', {
        bucket: props.bucket,
        description: `Self-heal (${group.name}): backfill missing recent minutes from exchange REST APIs into Bronze`,
        memoryMiB: 1024,
        timeout: Duration.minutes(10),
        logRetentionDays: config.logRetentionDays,
        destroyOnDelete: config.destroyDataOnDelete,
        deadLetterQueue: dlq,
        environment: {
          LAKE_URL: props.lakeUrl,
          SOURCES: JSON.stringify(healable),
          SELF_HEAL_HOURS: String(config.selfHealHours),
          ...(props.lakeRegion ? { LAKE_REGION: props.lakeRegion } : {}),
        },
      });
      this.selfHeal = selfHeal;
      const schedules = new JobSchedules(this, 'Schedules', dlq);
      const what = `Backfill the minutes of ${group.name} missing from the last hours`;
      schedules.add('SelfHealHourly', config.selfHealSchedule, selfHeal, what, { hours: config.selfHealHours });
      monitoring.addLambdaErrorAlarm(`self-heal-${group.name}`, selfHeal.fn);
      monitoring.addDeadLetterAlarm(dlq, `self-heal-${group.name}`);
    }

    for (const exchange of new Set(group.sources.map((s) => sourceProfile(s.source).exchange))) {
      monitoring.addBronzeFreshnessAlarm(exchange);
      monitoring.addSilentStreamsAlarm(exchange);
    }
    monitoring.addCollectorRunningAlarm(group.name, this.collector.service);
  }
}
