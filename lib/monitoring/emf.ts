import { METRICS_NAMESPACE, PUBLISHED_METRICS, type MetricName } from './metrics';

/**
 * CloudWatch Embedded Metric Format: one JSON log line carries metrics that CloudWatch extracts without any
 * PutMetricData call (no API cost, no credentials needed in the emitter). Written to stdout, which Lambda and
 * the Fargate log driver ship to CloudWatch Logs.
 */

export type MetricUnit = 'Count' | 'Percent' | 'Seconds' | 'Milliseconds' | 'Bytes' | 'None';

export interface MetricValue {
  name: MetricName;
  value: number;
  unit: MetricUnit;
}

/**
 * The EMF document for `metrics` with the given dimension values. Each entry of `dimensionSets` publishes the
 * metrics once more under those dimensions (an empty set publishes them without dimensions, for fleet-wide
 * alarms). Only PUBLISHED_METRICS are declared to CloudWatch; the others ride along as plain fields.
 */
export function emfDocument(metrics: readonly MetricValue[], dimensions: Record<string, string>, dimensionSets: readonly (readonly string[])[], timestamp = Date.now(), extra: Record<string, unknown> = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    ...extra,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE,
        Dimensions: dimensionSets.map((s) => [...s]),
        Metrics: metrics.filter((m) => PUBLISHED_METRICS.has(m.name)).map((m) => ({ Name: m.name, Unit: m.unit })),
      }],
    },
    ...dimensions,
  };
  for (const m of metrics) doc[m.name] = Number.isFinite(m.value) ? m.value : 0;
  return doc;
}

export type EmfSink = (line: string) => void;

export const stdoutSink: EmfSink = (line) => { process.stdout.write(`${line}\n`); };

export function emitMetrics(metrics: readonly MetricValue[], dimensions: Record<string, string>, dimensionSets: readonly (readonly string[])[], sink: EmfSink = stdoutSink, extra: Record<string, unknown> = {}): void {
  if (metrics.length === 0) return;
  sink(JSON.stringify(emfDocument(metrics, dimensions, dimensionSets, Date.now(), extra)));
}
