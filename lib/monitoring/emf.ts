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

/** The EMF key of CloudWatch's directive; no other key of a line may be it. */
export const EMF_DIRECTIVE_KEY = '_aws';

export interface EmfOptions {
  /**
   * Dimension values by name. They are fields of the line; only the names in `dimensionSets` make CloudWatch
   * publish the metrics per value.
   * @default {}
   */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * Each entry publishes the metrics once more under those dimensions; an empty set publishes them without
   * dimensions (fleet-wide alarms). Every name must be one of `dimensions`.
   * @default [[]] - without dimensions only
   */
  readonly dimensionSets?: readonly (readonly string[])[];
  /**
   * Further fields of the line, for Logs Insights (e.g. the job and its date).
   * @default {}
   */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * Throws when two of the line's fields would share a key: a metric, a dimension, a property and the EMF
 * directive each need their own, or one would silently overwrite the other. A programming error, not bad input.
 */
function checkKeys(
  metrics: readonly MetricValue[],
  dimensions: Readonly<Record<string, string>>,
  dimensionSets: readonly (readonly string[])[],
  properties: Readonly<Record<string, unknown>>,
): void {
  const owners = new Map<string, string>([[EMF_DIRECTIVE_KEY, 'the EMF directive']]);
  const claim = (key: string, owner: string) => {
    const taken = owners.get(key);
    if (taken) throw new Error(`EMF key collision: ${owner} '${key}' is also ${taken}`);
    owners.set(key, `${owner} '${key}'`);
  };
  for (const metric of metrics) claim(metric.name, 'metric');
  for (const name of Object.keys(dimensions)) claim(name, 'dimension');
  for (const key of Object.keys(properties)) claim(key, 'property');
  for (const set of dimensionSets) {
    for (const name of set)
      if (!Object.hasOwn(dimensions, name))
        throw new Error(`EMF dimension set [${set.join(', ')}] names '${name}', which has no value among the dimensions`);
  }
}

/**
 * The EMF document for `metrics` (see EmfOptions), at `timestamp`. Only PUBLISHED_METRICS are declared to
 * CloudWatch; the others ride along as plain fields. Throws on a key collision (a programming error).
 */
export function emfDocument(
  metrics: readonly MetricValue[],
  options: EmfOptions & { readonly timestamp?: number } = {},
): Record<string, unknown> {
  const { dimensions = {}, dimensionSets = [[]], properties = {}, timestamp = Date.now() } = options;
  checkKeys(metrics, dimensions, dimensionSets, properties);
  const doc: Record<string, unknown> = {
    ...properties,
    [EMF_DIRECTIVE_KEY]: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: dimensionSets.map((set) => [...set]),
          Metrics: metrics.filter((m) => PUBLISHED_METRICS.has(m.name)).map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
  };
  for (const metric of metrics) doc[metric.name] = Number.isFinite(metric.value) ? metric.value : 0;
  return doc;
}

export type EmfSink = (line: string) => void;

export const stdoutSink: EmfSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Writes `metrics` as one EMF line to `sink` (default stdout), stamped now; nothing when there are none. Throws on
 * a key collision (see emfDocument).
 */
export function emitMetrics(metrics: readonly MetricValue[], options: EmfOptions & { readonly sink?: EmfSink } = {}): void {
  if (metrics.length === 0) return;
  const { sink = stdoutSink, ...document } = options;
  sink(JSON.stringify(emfDocument(metrics, document)));
}
