import { Metric, METRICS_NAMESPACE, PUBLISHED_METRICS, type MetricName } from '../../lib/monitoring/metrics';
import type { LocalS3 } from '../helpers/s3rver';

/** Test plumbing for invoking the Lambda handlers in-process against s3rver. */

/** Points the handlers' lake (LAKE_URL, S3_ENDPOINT) and the SDK's credentials at s3rver. */
export function useLake(s3: LocalS3, prefix: string): void {
  Object.assign(process.env, {
    LAKE_URL: `s3://lake/${prefix}/`,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
}

/** Runs `fn` while collecting what it writes to stdout (where EMF lines go), one entry per line. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back on process.stdout, never called detached
  const original = process.stdout.write;
  let out = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  try {
    const result = await fn();
    return { result, lines: out.split('\n').filter(Boolean) };
  } finally {
    process.stdout.write = original;
  }
}

export interface EmfLine {
  doc: Record<string, unknown>;
  dimensions: string[][];
  /** Metric name → value, for every metric of lib/monitoring/metrics the line carries (published or not). */
  values: Record<string, number>;
  /** The metrics declared to CloudWatch (billed custom metrics), with their units. */
  units: Record<string, string>;
}

const KNOWN_METRICS: ReadonlySet<string> = new Set(Object.values(Metric));

/**
 * The EMF documents among `lines`, checked for what CloudWatch needs to extract them: our namespace, declared
 * metrics present as numbers at the top level, dimension values present for every declared dimension, and
 * only metric names from lib/monitoring/metrics.
 */
export function emfLines(lines: readonly string[]): EmfLine[] {
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((d) => '_aws' in d)
    .map((doc) => {
      const [directive] = (
        doc._aws as {
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
        }
      ).CloudWatchMetrics;
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const values: Record<string, number> = {};
      const units: Record<string, string> = {};
      for (const m of directive.Metrics) {
        expect(KNOWN_METRICS.has(m.Name)).toBe(true);
        expect(PUBLISHED_METRICS.has(m.Name as MetricName)).toBe(true);
        expect(typeof doc[m.Name]).toBe('number');
        units[m.Name] = m.Unit;
      }
      for (const name of KNOWN_METRICS) if (typeof doc[name] === 'number') values[name] = doc[name];
      for (const name of directive.Dimensions.flat()) expect(typeof doc[name]).toBe('string');
      return { doc, dimensions: directive.Dimensions, values, units };
    });
}

/** An EventBridge scheduled event, as a schedule rule with no custom input delivers it. */
export function scheduledEvent(time: string): Record<string, unknown> {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/test'],
    detail: {},
  };
}
