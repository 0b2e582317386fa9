import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LakeCatalog } from './catalog';
import { CollectorGroup } from './collector-group';
import { enabledGroups, projectedExchanges, projectedSymbols, type LakehouseConfig } from './config';
import { LakehouseJobs } from './jobs';
import { LakehouseMonitoring } from './monitoring';
import { LakeQuery } from './query';
import { LakeStorage } from './storage';

/**
 * The lake stack: storage, catalog, query, jobs and monitoring, plus the collectors of every group that runs
 * in the lake's own region. It only wires constructs; each concern lives in its own construct.
 */

export interface LakehouseStackProps extends StackProps {
  /** The whole deployment's configuration: lake, jobs, collector groups placed in the lake's region. */
  readonly config: LakehouseConfig;
}

export const glueDatabaseName = (lakeName: string) => lakeName.replace(/-/g, '_');

export class LakehouseStack extends Stack {
  readonly storage: LakeStorage;
  readonly catalog: LakeCatalog;
  readonly query: LakeQuery;
  readonly jobs: LakehouseJobs;
  readonly monitoring: LakehouseMonitoring;
  readonly collectorGroups: CollectorGroup[] = [];

  constructor(scope: Construct, id: string, props: LakehouseStackProps) {
    super(scope, id, props);
    const config = props.config;
    const destroyOnDelete = config.destroyDataOnDelete;
    this.storage = new LakeStorage(this, 'Storage', {
      lakeName: config.lakeName,
      bronzeRetentionDays: config.bronzeRetentionDays,
      athenaResultsRetentionDays: config.athenaResultsRetentionDays,
      noncurrentVersionDays: config.noncurrentVersionDays,
      destroyDataOnDelete: destroyOnDelete,
      adoptRetained: config.adoptRetainedLake,
    });
    const bucket = this.storage.bucket;
    const lakeUrl = `s3://${bucket.bucketName}/`;
    const databaseName = glueDatabaseName(config.lakeName);
    const symbols = projectedSymbols(config);
    const exchanges = projectedExchanges(config);
    this.catalog = new LakeCatalog(this, 'Catalog', {
      bucket,
      databaseName,
      symbols,
      exchanges,
      historyStart: config.historyStart,
      bronzeRetentionDays: config.bronzeRetentionDays,
      removalPolicy: destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      adoptDatabase: config.adoptRetainedLake,
    });
    this.query = new LakeQuery(this, 'Query', {
      bucket,
      databaseName,
      workGroupName: config.lakeName,
      scanLimitGb: config.athenaScanLimitGb,
    });
    this.query.namedQueries.forEach((q) => q.node.addDependency(this.catalog.database));

    this.jobs = new LakehouseJobs(this, 'Jobs', {
      bucket,
      lakeUrl,
      buildSchedule: config.buildSchedule,
      silverMemoryMiB: config.silverMemoryMiB,
      buildConcurrency: config.buildConcurrency,
      buildToleratedFailurePercent: config.buildToleratedFailurePercent,
      historyConcurrency: config.historyConcurrency,
      logRetentionDays: config.logRetentionDays,
      destroyOnDelete,
      catalog: { catalog: this.catalog, symbols, exchanges, schedule: config.catalogSchedule },
    });

    this.monitoring = new LakehouseMonitoring(this, 'Monitoring', {
      name: config.lakeName,
      alarmEmail: config.alarmEmail || undefined,
    });
    this.monitoring.addDataQualityAlarms();
    for (const [name, job] of Object.entries(this.jobs.functions)) this.monitoring.addLambdaErrorAlarm(name, job.fn);
    this.monitoring.addDeadLetterAlarm(this.jobs.deadLetterQueue);
    this.monitoring.addBuildAlarms(this.jobs.build);
    this.monitoring.addHistoryLoadAlarms(this.jobs.historyLoad);

    for (const group of enabledGroups(config).filter((x) => !x.region)) {
      this.collectorGroups.push(
        new CollectorGroup(this, `Collector-${group.name}`, { group, config, bucket, lakeUrl, monitoring: this.monitoring }),
      );
    }

    // What users need after `cdk deploy` (printed by the CLI; README refers to these names).
    new CfnOutput(this, 'LakeBucketName', { value: bucket.bucketName, description: 'S3 bucket holding every layer' });
    new CfnOutput(this, 'GlueDatabase', { value: databaseName, description: 'Glue database of the lake tables' });
    new CfnOutput(this, 'AthenaWorkGroup', { value: config.lakeName, description: 'Athena workgroup to query with' });
    new CfnOutput(this, 'CatalogFunctionName', {
      value: this.jobs.functions.catalog.fn.functionName,
      description: 'Invoke to project new symbols in Athena at once',
    });
    new CfnOutput(this, 'BuildStateMachineArn', {
      value: this.jobs.build.stateMachineArn,
      description: 'Rebuild a range: start with {"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}',
    });
    new CfnOutput(this, 'HistoryLoadStateMachineArn', {
      value: this.jobs.historyLoad.stateMachineArn,
      description: 'Load archive history: start with {"exchange","symbols":[…],"datasets":["klines:1m",…],"from","to"}',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'SNS topic of all alarms' });
  }
}
