import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Dimension, Metric, METRICS_NAMESPACE, type MetricName } from '../monitoring/metrics';

/**
 * Every alarm lives here (one facade owns the defaults and the SNS action), with one dashboard. Callers add
 * alarms by what they watch; the README explains each alarm and what to do about it.
 */

export interface LakehouseMonitoringProps {
  /** Name prefix of alarms and the dashboard. */
  readonly name: string;
  /**
   * Email address subscribed to the alarm topic.
   * @default - no subscription: alarms only go to the topic
   */
  readonly alarmEmail?: string;
}

/** Thresholds, named so the README and the tests quote the same numbers. */
export const ALARM_THRESHOLDS = {
  /** No Bronze file written for this long means the collector lost its streams or its store. */
  bronzeSilenceMinutes: 10,
  /** Streams found silent (each already reconnected) within `silentStreamWindowMinutes`: more is not bad luck. */
  silentStreams: 3,
  silentStreamWindowMinutes: 15,
  /** Silver 1m completeness below this (percent) on any partition. */
  silverCompletenessPercent: 99.9,
} as const;

/** Alarm on any count above zero in a period; no data (nothing ran) is not a breach. */
const ANY_ABOVE_ZERO = {
  threshold: 0,
  comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  missing: cloudwatch.TreatMissingData.NOT_BREACHING,
};

export class LakehouseMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly name: string;

  constructor(scope: Construct, id: string, props: LakehouseMonitoringProps) {
    super(scope, id);
    this.name = props.name;
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `${props.name} alarms`,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subs.EmailSubscription(props.alarmEmail));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.name,
      defaultInterval: Duration.days(1),
    });
  }

  static metric(
    name: MetricName,
    statistic: string,
    period: Duration,
    dimensions: Record<string, string> = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      statistic,
      period,
      dimensionsMap: dimensions,
    });
  }

  private alarm(
    id: string,
    description: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      comparison: cloudwatch.ComparisonOperator;
      missing: cloudwatch.TreatMissingData;
      periods?: number;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.name}-${id}`,
      alarmDescription: description,
      metric,
      threshold: options.threshold,
      comparisonOperator: options.comparison,
      evaluationPeriods: options.periods ?? 1,
      treatMissingData: options.missing,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  /** Freshness: the collector of `exchange` wrote no Bronze file for 10 minutes (no data at all counts). */
  addBronzeFreshnessAlarm(exchange: string): cloudwatch.Alarm {
    const metric = LakehouseMonitoring.metric(
      Metric.BronzeFilesWritten,
      'Sum',
      Duration.minutes(ALARM_THRESHOLDS.bronzeSilenceMinutes),
      { [Dimension.Exchange]: exchange },
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${exchange}: Bronze files and messages`,
        left: [metric],
        right: [
          LakehouseMonitoring.metric(Metric.MessagesReceived, 'Sum', Duration.minutes(5), { [Dimension.Exchange]: exchange }),
        ],
        width: 12,
      }),
    );
    return this.alarm(
      `BronzeFreshness-${exchange}`,
      `No Bronze file from ${exchange} for ${ALARM_THRESHOLDS.bronzeSilenceMinutes} minutes: the collector is down, its ` +
        `streams are silent, or S3 writes fail.`,
      metric,
      {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
      },
    );
  }

  /**
   * Subscribed streams that keep going silent while their connection delivers: a wrong (un-routed) endpoint,
   * a delisted symbol or an exchange incident. The collector reconnects each time; repeats need a human.
   */
  addSilentStreamsAlarm(exchange: string): cloudwatch.Alarm {
    const metric = LakehouseMonitoring.metric(
      Metric.SilentStreams,
      'Sum',
      Duration.minutes(ALARM_THRESHOLDS.silentStreamWindowMinutes),
      { [Dimension.Exchange]: exchange },
    );
    return this.alarm(
      `SilentStreams-${exchange}`,
      `${exchange}: streams went silent ${ALARM_THRESHOLDS.silentStreams}+ times ` +
        `in ${ALARM_THRESHOLDS.silentStreamWindowMinutes} minutes although subscribed; check endpoints (Binance futures ` +
        `routes), symbols and the exchange's status.`,
      metric,
      {
        threshold: ALARM_THRESHOLDS.silentStreams,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
  }

  /** The collector service runs fewer than one task (AWS/ECS CPU samples stop when no task runs). */
  addCollectorRunningAlarm(group: string, service: ecs.FargateService): cloudwatch.Alarm {
    const metric = service.metricCpuUtilization({ statistic: 'SampleCount', period: Duration.minutes(5) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `collector ${group}: CPU %`,
        left: [service.metricCpuUtilization({ period: Duration.minutes(5) })],
        width: 12,
      }),
    );
    return this.alarm(
      `CollectorNotRunning-${group}`,
      `The ${group} collector has no running task (crash loop, failed deployment or Spot capacity).`,
      metric,
      {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
        periods: 2,
      },
    );
  }

  /** Data quality: Silver completeness and Gold feature validity, fleet-wide (metrics without dimensions). */
  addDataQualityAlarms(): cloudwatch.Alarm[] {
    const completeness = LakehouseMonitoring.metric(Metric.SilverCompleteness, 'Minimum', Duration.days(1));
    const invalid = LakehouseMonitoring.metric(Metric.GoldInvalidFeatures, 'Sum', Duration.days(1));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Silver completeness % (min)', left: [completeness], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Gold invalid features / quarantined rows',
        left: [invalid],
        right: [LakehouseMonitoring.metric(Metric.SilverQuarantinedRows, 'Sum', Duration.days(1))],
        width: 12,
      }),
      // The self-heal's work: minutes fetched from REST, and minutes REST could not fill (they stay listed in Silver).
      new cloudwatch.GraphWidget({
        title: 'Self-heal: backfilled rows / still-missing minutes',
        left: [LakehouseMonitoring.metric(Metric.BackfilledRows, 'Sum', Duration.hours(1))],
        right: [LakehouseMonitoring.metric(Metric.StillMissingMinutes, 'Maximum', Duration.hours(1))],
        width: 12,
      }),
    );
    return [
      this.alarm(
        'SilverCompleteness',
        `A Silver partition has less than ${ALARM_THRESHOLDS.silverCompletenessPercent} % of its minutes: read its quality ` +
          `report and run the self-heal or a rebuild.`,
        completeness,
        {
          threshold: ALARM_THRESHOLDS.silverCompletenessPercent,
          comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
      this.alarm('GoldInvalidFeatures', 'Gold wrote NaN, infinite or out-of-range feature values outside the warm-up.', invalid, {
        threshold: 0,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  addLambdaErrorAlarm(name: string, fn: lambda.IFunction): cloudwatch.Alarm {
    const metric = fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${name}: invocations / errors`,
        left: [fn.metricInvocations({ period: Duration.hours(1) })],
        right: [fn.metricErrors({ period: Duration.hours(1) })],
        width: 6,
      }),
    );
    return this.alarm(`LambdaErrors-${name}`, `The ${name} Lambda failed; see its log group.`, metric, {
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  addDeadLetterAlarm(queue: sqs.IQueue, name = 'jobs'): cloudwatch.Alarm {
    const metric = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
    return this.alarm(
      `DeadLetters-${name}`,
      'A scheduled job failed after all retries; its event is in the dead-letter queue.',
      metric,
      {
        threshold: 0,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
  }

  /**
   * The build state machine: an execution that failed, timed out or was aborted (the daily build or a rebuild), and
   * partitions a finished build could not build (its output lists them).
   */
  addBuildAlarms(machine: sfn.IStateMachine): cloudwatch.Alarm[] {
    const period = { period: Duration.minutes(5), statistic: 'Sum' };
    const failed = new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      label: 'build executions not succeeded',
      period: Duration.minutes(5),
      usingMetrics: {
        failed: machine.metricFailed(period),
        timedOut: machine.metricTimedOut(period),
        aborted: machine.metricAborted(period),
      },
    });
    const partitions = LakehouseMonitoring.metric(Metric.BuildFailedPartitions, 'Sum', Duration.minutes(5));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Builds: executions not succeeded / partitions not built',
        left: [failed],
        right: [partitions],
        width: 12,
      }),
    );
    return [
      this.alarm(
        'BuildFailed',
        'A build execution (the daily build or a rebuild) failed, timed out or was aborted; open it in the Step Functions console.',
        failed,
        ANY_ABOVE_ZERO,
      ),
      this.alarm(
        'BuildPartitionsFailed',
        'A build finished with partitions it could not build; its output (Summarize) lists them.',
        partitions,
        ANY_ABOVE_ZERO,
      ),
    ];
  }

  /**
   * The history-load state machine: an execution that failed or timed out (the request was refused, more than the
   * tolerated share of files failed, or the nested build failed), and archive files a finished load did not import
   * (failures within the tolerance: the execution succeeds, yet its range has holes). Not aborted executions, unlike
   * the build's: no schedule starts a load, so only the person who started it aborts it. Step Functions publishes no
   * metric of a map run's items, hence the summary's own.
   */
  addHistoryLoadAlarms(machine: sfn.IStateMachine): cloudwatch.Alarm[] {
    const period = { period: Duration.minutes(5), statistic: 'Sum' };
    const failed = new cloudwatch.MathExpression({
      expression: 'failed + timedOut',
      label: 'history loads failed',
      period: Duration.minutes(5),
      usingMetrics: { failed: machine.metricFailed(period), timedOut: machine.metricTimedOut(period) },
    });
    const files = LakehouseMonitoring.metric(Metric.HistoryFailedFiles, 'Sum', Duration.minutes(5));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'History loads: executions failed / archive files not imported',
        left: [failed],
        right: [files],
        width: 12,
      }),
    );
    return [
      this.alarm(
        'HistoryLoadFailed',
        'A history load failed or timed out; open it in the Step Functions console (TooManyFilesFailed: the import ' +
          'ledger says why each file failed).',
        failed,
        ANY_ABOVE_ZERO,
      ),
      this.alarm(
        'HistoryFilesFailed',
        'A history load finished with archive files it did not import; its output (files.failedPartitions) lists them.',
        files,
        ANY_ABOVE_ZERO,
      ),
    ];
  }
}
