import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { restKlineDialect, sourceProfile } from '../exchanges/registry';
import { CollectorService } from './collector-service';
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
  group: CollectorGroupConfig;
  config: LakehouseConfig;
  bucket: s3.IBucket;
  lakeUrl: string;
  /** The bucket's region when the group runs elsewhere. */
  lakeRegion?: string;
  monitoring: LakehouseMonitoring;
}

export class CollectorGroup extends Construct {
  readonly collector: CollectorService;
  /** Hourly REST backfill of the group's sources that have a REST kline dialect (Binance spot, USD-M); absent when none has. */
  readonly selfHeal?: JobFunction;

  constructor(scope: Construct, id: string, props: CollectorGroupProps) {
    super(scope, id);
    const { group: g, config: c } = props;
    this.collector = new CollectorService(this, 'Collector', {
      name: g.name, bucket: props.bucket, lakeUrl: props.lakeUrl, lakeRegion: props.lakeRegion, sources: g.sources,
      cpu: c.collectorCpu, memoryMiB: c.collectorMemoryMiB, spot: c.collectorSpot, logRetentionDays: c.logRetentionDays,
      destroyOnDelete: c.destroyDataOnDelete,
    });
    const m = props.monitoring;
    const healable = g.sources.filter((s) => restKlineDialect(sourceProfile(s.source)) !== undefined);
    if (healable.length > 0) {
      const dlq = deadLetterQueue(this, 'DeadLetters');
      const selfHeal = lakeJob(this, 'backfill', {
        bucket: props.bucket, description: `Self-heal (${g.name}): backfill missing recent minutes from exchange REST APIs into Bronze`,
        memoryMiB: 1024, timeout: Duration.minutes(10), logRetentionDays: c.logRetentionDays, destroyOnDelete: c.destroyDataOnDelete,
        deadLetterQueue: dlq,
        environment: {
          LAKE_URL: props.lakeUrl, SOURCES: JSON.stringify(healable), SELF_HEAL_HOURS: String(c.selfHealHours),
          ...(props.lakeRegion ? { LAKE_REGION: props.lakeRegion } : {}),
        },
      });
      this.selfHeal = selfHeal;
      const schedules = new JobSchedules(this, 'Schedules', dlq);
      schedules.add('SelfHealHourly', c.selfHealSchedule, selfHeal, `Backfill the minutes of ${g.name} missing from the last hours`, { hours: c.selfHealHours });
      m.addLambdaErrorAlarm(`self-heal-${g.name}`, selfHeal.fn);
      m.addDeadLetterAlarm(dlq, `self-heal-${g.name}`);
    }

    for (const exchange of new Set(g.sources.map((s) => sourceProfile(s.source).exchange))) {
      m.addBronzeFreshnessAlarm(exchange);
      m.addSilentStreamsAlarm(exchange);
    }
    m.addCollectorRunningAlarm(g.name, this.collector.service);
  }
}
