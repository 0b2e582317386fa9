import { Stack, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CollectorGroupConfig, LakehouseConfig } from './config';
import { CollectorGroup } from './collector-group';
import { LakehouseMonitoring } from './monitoring';
import { lakeBucketName } from './storage';

/**
 * A collector group that must run in another region than the lake (Binance.com refuses US addresses, Binance
 * US serves only the US): its collector and self-heal write to the lake bucket by its deterministic name, and
 * it has its own alarms and topic because CloudWatch alarms act only within their region.
 */

export interface CollectorStackProps extends StackProps {
  /** Sizes, schedules and retention shared by every group. */
  readonly config: LakehouseConfig;
  /** The collector group this stack runs. */
  readonly group: CollectorGroupConfig;
}

export class CollectorStack extends Stack {
  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const config = props.config;
    const name = lakeBucketName(config.lakeName, config.lakeRegion, this.account);
    const bucket = s3.Bucket.fromBucketAttributes(this, 'Lake', { bucketName: name, region: config.lakeRegion });
    const monitoring = new LakehouseMonitoring(this, 'Monitoring', {
      name: `${config.lakeName}-${props.group.name}`,
      alarmEmail: config.alarmEmail || undefined,
    });
    new CollectorGroup(this, `Collector-${props.group.name}`, {
      group: props.group,
      config,
      bucket,
      lakeUrl: `s3://${name}/`,
      lakeRegion: config.lakeRegion,
      monitoring,
    });
  }
}
