import { JOB_ACCESS } from '../../lib/cdk/jobs';
import { defaultTemplate, policyStatements, render } from './build-stack';

type Statement = ReturnType<typeof policyStatements>[number];

/** The lake prefixes a role may read (GetObject), write (PutObject) and list, from its policies. */
function s3Scopes(statements: Statement[]) {
  const objects = (action: string) => statements.filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(render)).map((r) => r.replace(/^<StorageLakeBucket\w+\.Arn>\//, '').replace(/\*$/, '')).sort();
  const listed = statements.filter((s) => [s.Action].flat().includes('s3:ListBucket'))
    .flatMap((s) => (s.Condition as { StringLike: { 's3:prefix': string[] } }).StringLike['s3:prefix']).filter((p) => !p.endsWith('*')).sort();
  return { read: objects('s3:GetObject'), write: objects('s3:PutObject'), del: objects('s3:DeleteObject'), listed };
}

describe('jobs construct (Lambdas, schedules, rebuild)', () => {
  const { template } = defaultTemplate();
  const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => /^(Jobs|Collectorbinance)(Silver|Gold|Health|Plan|Backfill|Catalog)Function/.test(id));

  it('deploys one Node.js ARM64 function per handler, each with its own log group', () => {
    expect(functions.length).toBeGreaterThanOrEqual(4);
    // The self-heal calls exchange APIs, so it belongs to the collector group (deployed in a region its exchange serves).
    expect(functions.map(([id]) => id.replace(/Function\w+$/, '')).sort())
      .toEqual(['CollectorbinanceBackfill', 'JobsCatalog', 'JobsGold', 'JobsHealth', 'JobsPlan', 'JobsSilver']);
    for (const [id, f] of functions) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      // Every job but the planner (which only expands dates) works on the lake.
      if (!id.startsWith('JobsPlan')) expect(f.Properties.Environment.Variables.LAKE_URL).toBeDefined();
      expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    const silver = functions.find(([id]) => id.startsWith('JobsSilver'))![1].Properties;
    expect(silver).toMatchObject({ MemorySize: 3008, Timeout: 900 });
    expect(silver.DeadLetterConfig).toBeDefined();
  });

  it.each(Object.entries(JOB_ACCESS).filter(([name]) => name !== 'plan'))('%s may touch only its lake prefixes', (name, access) => {
    const statements = policyStatements(template, `${name === 'backfill' ? 'Collectorbinance' : 'Jobs'}${name[0].toUpperCase()}${name.slice(1)}Role`);
    const scopes = s3Scopes(statements);
    expect(scopes.read).toEqual([...(access.read ?? [])].sort());
    expect(scopes.write).toEqual([...(access.write ?? [])].sort());
    expect(scopes.del).toEqual([...(access.delete ?? [])].sort());
    expect(scopes.listed).toEqual([...(access.list ?? [])].sort());
    // Only the catalog job touches Glue (test/cdk/catalog-sync.test.ts holds its statements to the tables).
    const services = name === 'catalog' ? /^(s3|logs|sqs|glue):/ : /^(s3|logs|sqs):/;
    for (const s of statements) expect([s.Action].flat().every((a) => services.test(a))).toBe(true);
  });

  it('matches the issue: Silver reads bronze and writes silver, quarantine, reports; Gold reads silver and writes gold', () => {
    expect(JOB_ACCESS.silver).toMatchObject({ read: expect.arrayContaining(['bronze/']), write: ['silver/', 'quarantine/', 'reports/'] });
    expect(JOB_ACCESS.gold).toMatchObject({ read: ['silver/'], write: ['gold/', 'reports/'] });
  });

  it('schedules Silver daily at 01:00 UTC, Gold at 02:00 UTC, the self-heal and the catalog job hourly, and the health check', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);
    expect(schedules.length).toBeGreaterThanOrEqual(3);
    const expr = schedules.map((s) => s.ScheduleExpression).sort();
    expect(expr).toEqual(['cron(0 1 * * ? *)', 'cron(0 2 * * ? *)', 'cron(20 * * * ? *)', 'cron(50 * * * ? *)', 'rate(15 minutes)'].sort());
    for (const s of schedules) {
      expect(s.State).toBe('ENABLED');
      expect(s.Target.DeadLetterConfig.Arn).toBeDefined();
      expect(s.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
    }
    // Every run carries its schedule's time, so a retry works on the same date.
    const selfHeal = schedules.find((s) => s.ScheduleExpression.startsWith('cron(20'))!;
    expect(JSON.parse(selfHeal.Target.Input)).toEqual({ hours: 3, time: '<aws.scheduler.scheduled-time>' });
    for (const s of schedules) expect(JSON.parse(s.Target.Input).time).toBe('<aws.scheduler.scheduled-time>');
  });

  it('rebuilds a date range with a state machine: plan, Silver over dates, then Gold over dates, bounded and retried', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    expect(sm.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm.LoggingConfiguration.Level).toBe('ALL');
    const def = JSON.parse(render(sm.DefinitionString).replace(/<[^>]+>/g, 'ARN'));
    expect(def.StartAt).toBe('PlanPartitions');
    expect(def.States.PlanPartitions.Next).toBe('SilverEachDate');
    expect(def.States.SilverEachDate).toMatchObject({ Type: 'Map', MaxConcurrency: 4, ItemsPath: '$.plan.dates', Next: 'GoldEachDate' });
    expect(def.States.GoldEachDate).toMatchObject({ Type: 'Map', MaxConcurrency: 4, End: true });
    const inner = def.States.SilverEachDate.ItemProcessor.States.SilverEachDatePartition;
    const retriers = inner.Retry.map((r: { ErrorEquals: string[]; MaxAttempts: number }) => [r.ErrorEquals[0], r.MaxAttempts]);
    // A user error (bad date) is not retried; anything else is, three times. The first matching retrier wins.
    expect(retriers.findIndex(([e]: [string]) => e === 'UserError')).toBeLessThan(retriers.findIndex(([e]: [string]) => e === 'States.ALL'));
    expect(retriers).toEqual(expect.arrayContaining([['UserError', 0], ['States.ALL', 3]]));
  });

  it('outputs what users need after deploying', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining(['LakeBucketName', 'GlueDatabase', 'AthenaWorkGroup', 'RebuildStateMachineArn', 'AlarmTopicArn']));
  });

  it('collects failed scheduled runs in encrypted dead-letter queues (the lake jobs, each collector group)', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });
});
