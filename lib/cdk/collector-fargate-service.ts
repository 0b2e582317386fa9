import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CollectorSourceConfig } from './config';
import { grantPrefixes } from './prefix-access';
import { REPO_ROOT } from './repo-root';
import { LAKE_PREFIXES } from './storage';

/**
 * The collector as an ECS Fargate service: one ARM64 task (desired count 1) holding the exchange WebSockets,
 * in public subnets with a public IP and no NAT gateway (it only dials out), no load balancer. ECS restarts
 * it on failure, rolls back a deployment that never gets healthy, and gives it 120 s after SIGTERM to flush.
 * Its role may only write under `bronze/`.
 */

export interface CollectorFargateServiceProps {
  /** Group name, e.g. "binance"; names the cluster and log stream. */
  readonly name: string;
  /** The lake bucket; the task may write under `bronze/` only. */
  readonly bucket: s3.IBucket;
  /** `s3://bucket/` URL the collector writes to. */
  readonly lakeUrl: string;
  /**
   * Region of the lake bucket when it differs from the collector's.
   * @default - the task's own region
   */
  readonly lakeRegion?: string;
  /** What the container collects (its `SOURCES`). */
  readonly sources: readonly CollectorSourceConfig[];
  /** Fargate CPU units of the task. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Run on Fargate Spot (cheaper; ECS replaces an interrupted task) rather than on-demand Fargate. */
  readonly spot: boolean;
  readonly logRetentionDays: number;
  /** Delete the log group with the stack rather than keep it. */
  readonly destroyOnDelete: boolean;
}

export const HEARTBEAT_FILE = '/tmp/collector-heartbeat.json';

export class CollectorFargateService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CollectorFargateServiceProps) {
    super(scope, id);
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    Validations.of(vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason:
        'The VPC holds one outbound-only WebSocket client; flow logs would cost more than the task and there is no inbound ' +
        'traffic to audit.',
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, enableFargateCapacityProviders: true });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason:
        'Container Insights costs several dollars a month for one task; the collector publishes its own heartbeat metrics ' +
        '(EMF) and the running-task alarm uses the free AWS/ECS CPU metric.',
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer('collector', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'collector-fargate/Dockerfile', platform: Platform.LINUX_ARM64 }),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.name }),
      environment: {
        LAKE_URL: props.lakeUrl,
        SOURCES: JSON.stringify(props.sources),
        HEARTBEAT_FILE,
        // Collectors in another region than the bucket must address S3 in the bucket's region.
        ...(props.lakeRegion ? { LAKE_REGION: props.lakeRegion } : {}),
      },
      healthCheck: {
        command: ['CMD', 'node', '/app/healthcheck.js'],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      stopTimeout: Duration.seconds(120),
      readonlyRootFilesystem: false,
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ECR authorization tokens (ecr:GetAuthorizationToken) take no resource-level permissions; ECS adds this for pulling the image.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only non-secret configuration (lake URL, symbols, heartbeat path); there are no credentials to ' +
        'put in Secrets Manager.',
    });
    grantPrefixes(this.taskDefinition.taskRole, props.bucket, { write: [LAKE_PREFIXES.bronze] });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      // The new task starts before the old one stops, so a deployment overlaps instead of leaving a gap.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [{ capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
      enableExecuteCommand: false,
    });
  }
}
