import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { glueColumns, gluePartitionKeys } from '../schema/derive/glue-columns';
import { enumValues, projectionParameters } from '../schema/derive/glue-projection';
import { allDatasets, tableName } from '../schema/registry';
import type { DatasetSpec } from '../schema/types';

/**
 * The Glue catalog: one table per dataset and layer, generated from the schema registry, with partition
 * projection so Athena finds partitions from the key layout alone (no crawlers, no MSCK REPAIR). The template
 * projects the configured exchanges and symbols; the catalog job (catalog-sync.ts) adds what the lake holds.
 */

export interface LakeCatalogProps {
  /** The lake bucket the tables' locations point into. */
  readonly bucket: s3.IBucket;
  readonly databaseName: string;
  /** Path-safe symbols to project. */
  readonly symbols: readonly string[];
  /** Exchanges to project. */
  readonly exchanges: readonly string[];
  /** First date to project for `dt` outside Bronze. */
  readonly historyStart: string;
  /**
   * Whether the database outlives the stack. Its tables never do: they hold no data and are generated from the
   * schema registry, so a later deploy recreates them as the code then defines them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Reference the database of this name, kept by an earlier deployment, instead of creating it. @default false */
  readonly adoptDatabase?: boolean;
  /** Bronze projects `dt` over its retention only. */
  readonly bronzeRetentionDays: number;
}

const GLUE_TYPE: Record<string, glue.Type> = {
  timestamp: glue.Schema.TIMESTAMP,
  double: glue.Schema.DOUBLE,
  bigint: glue.Schema.BIG_INT,
  int: glue.Schema.INTEGER,
  boolean: glue.Schema.BOOLEAN,
  string: glue.Schema.STRING,
};

export class LakeCatalog extends Construct {
  readonly database: glue.IDatabase;
  readonly tables = new Map<string, glue.S3Table>();

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    this.database = props.adoptDatabase
      ? glue.Database.fromDatabaseArn(
          this,
          'Database',
          Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
        )
      : new glue.Database(this, 'Database', {
          databaseName: props.databaseName,
          description: 'crypto-lakehouse: Bronze, Silver, Gold and quarantine tables (partition projection)',
          removalPolicy: props.removalPolicy,
        });
    for (const spec of allDatasets()) this.tables.set(tableName(spec), this.table(spec, props));
  }

  private table(spec: DatasetSpec, props: LakeCatalogProps): glue.S3Table {
    const toColumn = (c: { name: string; type: string; comment: string }) => ({
      name: c.name,
      type: GLUE_TYPE[c.type],
      comment: c.comment,
    });
    const location = `${spec.layer}/${spec.name}/`;
    const template = spec.partitionKeys.map((k) => `${k.name}=\${${k.name}}`).join('/');
    return new glue.S3Table(this, tableName(spec), {
      database: this.database,
      tableName: tableName(spec),
      description: spec.description.slice(0, 2048),
      storage: glue.S3TableStorage.fromBucket(props.bucket),
      s3Prefix: location,
      dataFormat: glue.DataFormat.PARQUET,
      columns: glueColumns(spec).map(toColumn),
      partitionKeys: gluePartitionKeys(spec).map(toColumn),
      parameters: {
        // Written as parameters rather than through `partitionProjection`, so the catalog job derives the same ones.
        ...projectionParameters(spec, enumValues(spec, props), props),
        'storage.location.template': `s3://${props.bucket.bucketName}/${location}${template}`,
        classification: 'parquet',
      },
    });
  }
}
