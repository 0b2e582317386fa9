/**
 * Every CloudWatch metric the pipeline emits, named once: the emitters (collector, Lambda jobs) and the CDK
 * alarms and dashboard both import them from here.
 */

export const METRICS_NAMESPACE = 'CryptoLakehouse';

export const Metric = {
  // Collector (per exchange).
  BronzeFilesWritten: 'BronzeFilesWritten',
  BronzeRowsWritten: 'BronzeRowsWritten',
  MessagesReceived: 'MessagesReceived',
  ParseErrors: 'ParseErrors',
  Reconnects: 'Reconnects',
  BufferedRows: 'BufferedRows',
  FlushLatencyMs: 'FlushLatencyMs',
  LastEventAgeSeconds: 'LastEventAgeSeconds',
  FlushFailures: 'FlushFailures',
  SilentStreams: 'SilentStreams',
  ClockSkewMs: 'ClockSkewMs',
  // Silver (per exchange and symbol, and without dimensions for fleet-wide alarms).
  SilverCompleteness: 'SilverCompletenessPercent',
  SilverQuarantinedRows: 'SilverQuarantinedRows',
  SilverPartitionsBuilt: 'SilverPartitionsBuilt',
  // Gold.
  GoldInvalidFeatures: 'GoldInvalidFeatures',
  GoldRows: 'GoldRows',
  GoldDataOkPercent: 'GoldDataOkPercent',
  // Health check (lake-wide).
  BronzeAgeSeconds: 'BronzeAgeSeconds',
  // Self-heal backfill.
  BackfilledRows: 'BackfilledRows',
  /** Minutes the self-heal fetched that still have no closed bar (the exchange's REST had none, or failed). */
  StillMissingMinutes: 'StillMissingMinutes',
  // Build state machine (daily run and rebuilds).
  /** Partitions a build execution planned but did not build (failed after retries, or never run). */
  BuildFailedPartitions: 'BuildFailedPartitions',
  // History-load state machine.
  /** Archive files a history load planned but did not import (failed, or never run): its range has holes. */
  HistoryFailedFiles: 'HistoryFailedFiles',
} as const;

export type MetricName = (typeof Metric)[keyof typeof Metric];

/**
 * The metrics CloudWatch turns into billed custom metrics ($0.30 a month per name and dimension set): the ones
 * alarms and the dashboard use. Every other value is still in the same EMF log line, for Logs Insights.
 */
export const PUBLISHED_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  Metric.BronzeFilesWritten,
  Metric.MessagesReceived,
  Metric.ParseErrors,
  Metric.Reconnects,
  Metric.LastEventAgeSeconds,
  Metric.SilentStreams,
  Metric.SilverCompleteness,
  Metric.SilverQuarantinedRows,
  Metric.GoldInvalidFeatures,
  Metric.GoldDataOkPercent,
  Metric.BackfilledRows,
  Metric.StillMissingMinutes,
  Metric.BronzeAgeSeconds,
  Metric.BuildFailedPartitions,
  Metric.HistoryFailedFiles,
]);

export const Dimension = { Exchange: 'Exchange', Symbol: 'Symbol', Job: 'Job' } as const;
