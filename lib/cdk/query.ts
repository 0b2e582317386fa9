import * as athena from 'aws-cdk-lib/aws-athena';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { savedQueries } from '../queries';
import { LAKE_PREFIXES } from './storage';

/**
 * The Athena workgroup users query the lake through: engine v3, results forced into the lake bucket's
 * `athena-results/` (SSE-S3, expired by lifecycle), a per-query scan cutoff against runaway costs, CloudWatch
 * metrics on; plus the saved queries from `lib/queries/*.sql`.
 */

export interface LakeQueryProps {
  /** The lake bucket; query results go under its `athena-results/`. */
  readonly bucket: s3.IBucket;
  readonly workGroupName: string;
  /** The Glue database the saved queries run in. */
  readonly databaseName: string;
  /** Per-query scan cutoff, in GiB. */
  readonly scanLimitGb: number;
}

export class LakeQuery extends Construct {
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: LakeQueryProps) {
    super(scope, id);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'crypto-lakehouse queries (results expire; per-query scan limit)',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: Math.round(props.scanLimitGb * 1024 ** 3),
        resultConfiguration: {
          outputLocation: `s3://${props.bucket.bucketName}/${LAKE_PREFIXES.athenaResults}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.namedQueries = savedQueries().map((query) => {
      const named = new athena.CfnNamedQuery(this, query.name, {
        name: query.name,
        description: `${query.description}${query.params.length ? ` (parameters: ${query.params.join(', ')})` : ''}`.slice(
          0,
          1024,
        ),
        database: props.databaseName,
        workGroup: this.workGroup.name,
        queryString: query.sql,
      });
      named.node.addDependency(this.workGroup);
      return named;
    });
  }
}
