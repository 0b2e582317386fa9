import { Dimension, Metric } from '../monitoring/metrics';
import { emfDocument, type MetricValue } from '../monitoring/emf';
import type { ExchangeHealth } from './heartbeat-report';

/**
 * The heartbeat's CloudWatch metrics, one EMF line per exchange and beat. Counters are sent as deltas since
 * the previous beat, so CloudWatch sums them per period and a task restart does not make them jump; levels
 * (buffered rows, ages, latency) are sent as they are. Pure: the caller keeps the counts between beats.
 */

/** Counter values of one exchange at a beat: what the next beat's deltas are taken from. */
export interface BeatCounts {
  messages: number;
  filesWritten: number;
  rowsWritten: number;
  parseErrors: number;
  reconnects: number;
  flushFailures: number;
  silentStreams: number;
  /** Messages per stream. */
  streams: Map<string, number>;
}

/** Before an exchange's first beat. */
export const NO_COUNTS: BeatCounts = {
  messages: 0,
  filesWritten: 0,
  rowsWritten: 0,
  parseErrors: 0,
  reconnects: 0,
  flushFailures: 0,
  silentStreams: 0,
  streams: new Map(),
};

// Per exchange only: alarms and the dashboard look at one exchange at a time, and each dimension set is billed.
const EMF_DIMENSION_SETS = [[Dimension.Exchange]] as const;

export function beatCounts(health: ExchangeHealth): BeatCounts {
  return {
    messages: health.messages,
    filesWritten: health.filesWritten,
    rowsWritten: health.rowsWritten,
    parseErrors: health.parseErrorCount,
    reconnects: health.reconnects,
    flushFailures: health.flushFailures,
    silentStreams: health.silentStreams,
    streams: new Map(Object.entries(health.streams).map(([name, stream]) => [name, stream.records])),
  };
}

/** The metrics of one exchange's beat: counters as deltas since `previous`, levels as they are. */
export function beatMetrics(health: ExchangeHealth, previous: BeatCounts): MetricValue[] {
  const filesDelta = health.filesWritten - previous.filesWritten;
  const failuresDelta = health.flushFailures - previous.flushFailures;
  const metrics: MetricValue[] = [
    { name: Metric.MessagesReceived, value: health.messages - previous.messages, unit: 'Count' },
    { name: Metric.BronzeFilesWritten, value: filesDelta, unit: 'Count' },
    { name: Metric.BronzeRowsWritten, value: health.rowsWritten - previous.rowsWritten, unit: 'Count' },
    { name: Metric.ParseErrors, value: health.parseErrorCount - previous.parseErrors, unit: 'Count' },
    { name: Metric.Reconnects, value: health.reconnects - previous.reconnects, unit: 'Count' },
    { name: Metric.FlushFailures, value: failuresDelta, unit: 'Count' },
    // Rows held in memory either way: not yet flushed, or flushed and failed.
    { name: Metric.BufferedRows, value: health.bufferedRows + health.unwrittenRows, unit: 'Count' },
    { name: Metric.LastEventAgeSeconds, value: health.lastEventAgeSeconds, unit: 'Seconds' },
    { name: Metric.SilentStreams, value: health.silentStreams - previous.silentStreams, unit: 'Count' },
  ];
  if (health.clockSkewMs !== null) metrics.push({ name: Metric.ClockSkewMs, value: health.clockSkewMs, unit: 'Milliseconds' });
  // Only a flush since the last beat has a latency to report; repeating the old one would skew averages.
  if (filesDelta > 0 || failuresDelta > 0) {
    metrics.push({ name: Metric.FlushLatencyMs, value: health.lastFlushLatencyMs, unit: 'Milliseconds' });
  }
  return metrics;
}

/** One exchange's beat as an EMF log line. */
export function beatMetricLine(exchange: string, health: ExchangeHealth, previous: BeatCounts, timeMs: number): string {
  return JSON.stringify(
    emfDocument(beatMetrics(health, previous), {
      dimensions: { [Dimension.Exchange]: exchange },
      dimensionSets: EMF_DIMENSION_SETS,
      timestamp: timeMs,
    }),
  );
}
