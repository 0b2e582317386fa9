import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, defaultTemplate, policyStatements, render } from './build-stack';

describe('collector construct (Fargate)', () => {
  const { template } = defaultTemplate();

  it('runs one ARM64 task with no load balancer, a public IP and no NAT gateway', () => {
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    });
    expect(template.findResources('AWS::ECS::Service')).not.toHaveProperty('LoadBalancers');
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets.length).toBeGreaterThan(0);
    for (const s of subnets) expect(s.Properties.MapPublicIpOnLaunch).toBe(true);
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
  });

  it('gives the container a heartbeat health check, 120 s to stop, logs and its configuration', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '512',
      Memory: '1024',
      RequiresCompatibilities: ['FARGATE'],
    });
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
    const c = td.ContainerDefinitions[0];
    expect(c.HealthCheck).toMatchObject({ Command: ['CMD', 'node', '/app/healthcheck.js'], Interval: 30, Retries: 3 });
    expect(c.StopTimeout).toBe(120);
    expect(c.LogConfiguration.LogDriver).toBe('awslogs');
    const env = Object.fromEntries(c.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
    expect(JSON.parse(env.SOURCES)).toEqual([{ source: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'] }]);
    expect(render(env.LAKE_URL)).toMatch(/^s3:\/\/.*\/$/);
    expect(env.HEARTBEAT_FILE).toBe('/tmp/collector-heartbeat.json');
  });

  it('lets the collector write only under bronze/', () => {
    const statements = policyStatements(template, 'CollectorbinanceCollectorTaskTaskRole');
    expect(statements).toHaveLength(1);
    // One PutObject per flushed file: a minute of events stays far below the multipart threshold (lib/storage/s3-upload.ts).
    expect(statements[0].Action).toBe('s3:PutObject');
    expect(render(statements[0].Resource)).toMatch(/^<StorageLakeBucket\w+\.Arn>\/bronze\/\*$/);
  });

  it('uses on-demand Fargate when collectorSpot is false', () => {
    const t = Template.fromStack(buildApp({ collectorSpot: false }).lake);
    t.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
  });
});
