import { Template } from 'aws-cdk-lib/assertions';
import { ALARM_THRESHOLDS } from '../../lib/cdk/monitoring';
import { Metric, METRICS_NAMESPACE } from '../../lib/monitoring/metrics';
import { buildApp, defaultTemplate } from './build-stack';

describe('monitoring construct', () => {
  const { template } = defaultTemplate();
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const alarm = (suffix: string) => alarms.find((a) => (a.AlarmName as string).endsWith(suffix))!;

  it('has one alarm per README line (collector group binance, nine jobs, two state machines), each notifying the SNS topic', () => {
    expect(alarms.map((a) => (a.AlarmName as string).replace(/^crypto-lakehouse-/, '')).sort()).toEqual(
      [
        'BronzeFreshness-binance',
        'SilentStreams-binance',
        'CollectorNotRunning-binance',
        'LambdaErrors-self-heal-binance',
        'DeadLetters-self-heal-binance',
        'SilverCompleteness',
        'GoldInvalidFeatures',
        ...['silver', 'gold', 'health', 'plan', 'summarize', 'catalog', 'historyPlan', 'historyFile', 'historySummary'].map(
          (job) => `LambdaErrors-${job}`,
        ),
        'DeadLetters-jobs',
        'BuildFailed',
        'BuildPartitionsFailed',
        'HistoryLoadFailed',
        'HistoryFilesFailed',
      ].sort(),
    );
    for (const a of alarms) {
      expect(a.AlarmActions).toHaveLength(1);
      expect(a.AlarmActions[0].Ref).toMatch(/MonitoringAlarms/);
    }
  });

  it('alarms when no Bronze file was written for 10 minutes, missing data breaching', () => {
    expect(alarm('BronzeFreshness-binance')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: Metric.BronzeFilesWritten,
      Statistic: 'Sum',
      Period: 600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'Exchange', Value: 'binance' }],
    });
  });

  it('alarms when subscribed streams keep going silent (3 in 15 minutes), quiet when there is no data', () => {
    expect(alarm('SilentStreams-binance')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: Metric.SilentStreams,
      Statistic: 'Sum',
      Period: 900,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'Exchange', Value: 'binance' }],
    });
  });

  it('alarms on Silver completeness below 99.9 % and any invalid Gold feature', () => {
    expect(alarm('SilverCompleteness')).toMatchObject({
      MetricName: Metric.SilverCompleteness,
      Statistic: 'Minimum',
      Threshold: ALARM_THRESHOLDS.silverCompletenessPercent,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(ALARM_THRESHOLDS.silverCompletenessPercent).toBe(99.9);
    expect(alarm('GoldInvalidFeatures')).toMatchObject({
      MetricName: Metric.GoldInvalidFeatures,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on Lambda errors of every job, dead letters, failed builds and history loads, a collector with no running task', () => {
    for (const job of ['silver', 'gold', 'self-heal-binance', 'health', 'plan', 'summarize', 'catalog']) {
      expect(alarm(`LambdaErrors-${job}`)).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 0 });
    }
    for (const q of ['jobs', 'self-heal-binance'])
      expect(alarm(`DeadLetters-${q}`)).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
    expect(alarm('BuildFailed')).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(
      alarm('BuildFailed')
        .Metrics.map((m: { Id: string; MetricStat?: { Metric: { MetricName: string } } }) => m.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort(),
    ).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(alarm('BuildPartitionsFailed')).toMatchObject({
      MetricName: Metric.BuildFailedPartitions,
      Statistic: 'Sum',
      Threshold: 0,
    });
    expect(alarm('HistoryLoadFailed')).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    // Failed and timed out; an aborted load is one its operator stopped (no schedule starts one).
    type MathMetric = { MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: { Ref: string } }[] } } };
    const machineMetrics = (alarm('HistoryLoadFailed').Metrics as MathMetric[]).flatMap((m) =>
      m.MetricStat ? [[m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0].Value.Ref]] : [],
    );
    expect(machineMetrics.sort()).toEqual([
      ['ExecutionsFailed', expect.stringMatching(/^JobsHistoryLoadMachine/)],
      ['ExecutionsTimedOut', expect.stringMatching(/^JobsHistoryLoadMachine/)],
    ]);
    expect(alarm('HistoryFilesFailed')).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: Metric.HistoryFailedFiles,
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm('CollectorNotRunning-binance')).toMatchObject({
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'SampleCount',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('sends alarms to an encrypted SNS topic with the e-mail from context, and draws one dashboard', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alias/aws/sns'],
        ],
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const none = Template.fromStack(buildApp().lake);
    none.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
