import { JOB_ACCESS } from '../../lib/cdk/jobs';
import { defaultTemplate, policyStatements, render } from './build-stack';

describe('jobs construct (Lambdas, schedules, build state machine)', () => {
  const { template } = defaultTemplate();
  const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    /^(Jobs|Collectorbinance)(Silver|Gold|Health|Plan|Summarize|Backfill|Catalog)Function/.test(id),
  );

  it('deploys one Node.js ARM64 function per handler, each with its own log group', () => {
    expect(functions.length).toBeGreaterThanOrEqual(4);
    // The self-heal calls exchange APIs, so it belongs to the collector group (deployed in a region its exchange serves).
    expect(functions.map(([id]) => id.replace(/Function\w+$/, '')).sort()).toEqual([
      'CollectorbinanceBackfill',
      'JobsCatalog',
      'JobsGold',
      'JobsHealth',
      'JobsPlan',
      'JobsSilver',
      'JobsSummarize',
    ]);
    for (const [id, f] of functions) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect([id, f.Properties.Environment.Variables.LAKE_URL]).toEqual([id, expect.any(Object)]);
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    const silver = functions.find(([id]) => id.startsWith('JobsSilver'))![1].Properties;
    expect(silver).toMatchObject({ MemorySize: 6144, Timeout: 900 });
  });

  // What each role may do in the lake is proven by running the jobs under it (test/aws/jobs-under-iam.test.ts);
  // here: every grant is scoped to a prefix, and each role reaches only the services its job uses.
  it.each(Object.keys(JOB_ACCESS))('%s: S3 grants are scoped to lake prefixes; no service beyond its job', (name) => {
    const statements = policyStatements(
      template,
      `${name === 'backfill' ? 'Collectorbinance' : 'Jobs'}${name[0].toUpperCase()}${name.slice(1)}Role`,
    );
    for (const st of statements.filter((x) => [x.Action].flat().some((a) => a.startsWith('s3:')))) {
      for (const r of [st.Resource].flat().map(render))
        expect(r).toMatch(/^<StorageLakeBucket\w+\.Arn>(\/[a-z_]+\/([a-z_-]+\/)?\*)?$/);
      if ([st.Action].flat().includes('s3:ListBucket'))
        expect(st.Condition).toEqual({ StringLike: { 's3:prefix': expect.any(Array) } });
    }
    // Only the catalog job touches Glue (test/cdk/catalog-sync.test.ts holds its statements to the tables).
    const services = name === 'catalog' ? /^(s3|logs|sqs|glue):/ : /^(s3|logs|sqs):/;
    for (const st of statements) expect([st.Action].flat().every((a) => services.test(a))).toBe(true);
  });

  it('starts the daily build at 01:00 UTC, the self-heal and the catalog job hourly, and the health check', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((x) => x.Properties);
    const expr = schedules.map((x) => x.ScheduleExpression).sort();
    expect(expr).toEqual(['cron(0 1 * * ? *)', 'cron(20 * * * ? *)', 'cron(50 * * * ? *)', 'rate(15 minutes)'].sort());
    for (const x of schedules) {
      expect(x.State).toBe('ENABLED');
      expect(x.Target.DeadLetterConfig.Arn).toBeDefined();
      expect(x.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
    }
    // The daily build starts the state machine (not a Lambda) with its schedule's time: a retry builds the same day.
    const daily = schedules.find((x) => x.ScheduleExpression === 'cron(0 1 * * ? *)')!;
    expect(render(daily.Target.Arn)).toMatch(/^<JobsBuildMachine\w+>$/);
    const selfHeal = schedules.find((x) => x.ScheduleExpression.startsWith('cron(20'))!;
    expect(JSON.parse(selfHeal.Target.Input)).toEqual({ hours: 3, time: '<aws.scheduler.scheduled-time>' });
    for (const x of schedules) expect(JSON.parse(x.Target.Input).time).toBe('<aws.scheduler.scheduled-time>');
  });

  it(
    'builds per partition with a state machine: plan, Distributed Map over Silver partitions, then Gold, retried, with a ' +
      'failure threshold',
    () => {
      // Two machines: the daily build and the history load (issue 14); this test reads the build.
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
      const machines = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'));
      const sm = machines.filter(([id]) => id.includes('Build') && !id.includes('History'))[0][1].Properties;
      expect(sm.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.LoggingConfiguration.Level).toBe('ALL');
      const def = JSON.parse(render(sm.DefinitionString).replace(/<[^>]+>/g, 'ARN'));
      const order: string[] = [];
      for (let st = def.StartAt; st; st = def.States[st].Next) order.push(st);
      expect(order).toEqual([
        'Request',
        'PlanSilver',
        'SilverPartitions',
        'PlanGold',
        'GoldPartitions',
        'SyncCatalog',
        'Summarize',
      ]);
      for (const stage of ['Silver', 'Gold']) {
        const map = def.States[`${stage}Partitions`];
        expect(map).toMatchObject({
          Type: 'Map',
          MaxConcurrency: 50,
          ToleratedFailurePercentage: 5,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
          ItemReader: { ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Key.$': `$.${stage.toLowerCase()}.plan.key` } },
          ResultWriter: { Parameters: { Prefix: 'jobs/map-runs' } },
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'TooManyPartitionsFailed' }],
        });
        const task = map.ItemProcessor.States[`Build${stage}Partition`];
        const retriers = task.Retry.map((r: { ErrorEquals: string[]; MaxAttempts: number }) => [r.ErrorEquals[0], r.MaxAttempts]);
        // A user error (bad request) is not retried; anything else is, three times. The first matching retrier wins.
        expect(retriers.findIndex(([e]: [string]) => e === 'UserError')).toBeLessThan(
          retriers.findIndex(([e]: [string]) => e === 'States.ALL'),
        );
        expect(retriers).toEqual(
          expect.arrayContaining([
            ['UserError', 0],
            ['States.ALL', 3],
          ]),
        );
      }
    },
  );

  it('outputs what users need after deploying', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining(['LakeBucketName', 'GlueDatabase', 'AthenaWorkGroup', 'BuildStateMachineArn', 'AlarmTopicArn']),
    );
  });

  it('collects failed scheduled runs in encrypted dead-letter queues (the lake jobs, each collector group)', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });
});
