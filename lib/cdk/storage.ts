import { Aws, Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SecureBucket } from './secure-bucket';

/**
 * The lake: one bucket holding every layer under its prefix (bronze/, silver/, gold/, quarantine/, reports/,
 * athena-results/), plus a separate bucket for server access logs. Lifecycle: Bronze expires after
 * `bronzeRetentionDays` (Silver and Gold can always be rebuilt from what Bronze held, and are kept), Silver
 * and Gold move to Intelligent-Tiering, Athena results expire.
 */

export interface LakeStorageProps {
  /** Names the lake bucket (with the region): `lakeBucketName`. */
  readonly lakeName: string;
  /** Days Bronze objects are kept. */
  readonly bronzeRetentionDays: number;
  /** Days Athena query results are kept. */
  readonly athenaResultsRetentionDays: number;
  /** Days a noncurrent object version is kept. */
  readonly noncurrentVersionDays: number;
  /** Empty and delete the buckets with the stack rather than keep them. */
  readonly destroyDataOnDelete: boolean;
  /**
   * Reference the lake bucket an earlier deployment kept, by its fixed name, instead of creating the buckets. The
   * kept bucket goes on logging to the access-log bucket kept with it, under the policies kept with both.
   * @default false
   */
  readonly adoptRetained?: boolean;
}

export const LAKE_PREFIXES = {
  bronze: 'bronze/',
  silver: 'silver/',
  gold: 'gold/',
  quarantine: 'quarantine/',
  reports: 'reports/',
  athenaResults: 'athena-results/',
  /** Working files of the build state machine: item lists and Distributed Map results. */
  jobs: 'jobs/',
} as const;

/** Days the build state machine's working files are kept (long enough to read a failed run's results). */
export const JOBS_RETENTION_DAYS = 30;

/** The lake bucket's name, computable in any stack of the same account (collector stacks in other regions). */
export function lakeBucketName(lakeName: string, region: string, account: string = Aws.ACCOUNT_ID): string {
  return `${lakeName}-${account}-${region}`;
}

export class LakeStorage extends Construct {
  readonly bucket: s3.IBucket;
  /** Absent when the lake bucket is adopted: that one logs to the access-log bucket kept with it. */
  readonly accessLogBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps) {
    super(scope, id);
    if (props.adoptRetained) {
      this.bucket = s3.Bucket.fromBucketName(this, 'Lake', lakeBucketName(props.lakeName, Aws.REGION));
      return;
    }
    const common = { noncurrentVersionDays: props.noncurrentVersionDays, destroyOnDelete: props.destroyDataOnDelete };
    this.accessLogBucket = new SecureBucket(this, 'AccessLogs', {
      ...common,
      isAccessLogBucket: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
    }).bucket;
    this.bucket = new SecureBucket(this, 'Lake', {
      ...common,
      bucketName: lakeBucketName(props.lakeName, Aws.REGION),
      accessLogs: { bucket: this.accessLogBucket, prefix: 'lake/' },
      lifecycleRules: [
        // Versioning would otherwise keep expired Bronze for the noncurrent-version period as well.
        {
          id: 'expire-bronze',
          prefix: LAKE_PREFIXES.bronze,
          expiration: Duration.days(props.bronzeRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-athena-results',
          prefix: LAKE_PREFIXES.athenaResults,
          expiration: Duration.days(props.athenaResultsRetentionDays),
        },
        {
          id: 'expire-jobs',
          prefix: LAKE_PREFIXES.jobs,
          expiration: Duration.days(JOBS_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        ...(['silver', 'gold'] as const).map((layer) => ({
          id: `intelligent-tiering-${layer}`,
          prefix: LAKE_PREFIXES[layer],
          transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }],
        })),
      ],
    }).bucket;
  }
}
