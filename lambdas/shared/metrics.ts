import { Dimension } from '../../lib/monitoring/metrics';
import { emitMetrics, type MetricValue } from '../../lib/monitoring/emf';

/**
 * EMF emission of the per-partition job metrics. Each exchange/symbol result is one log line, published without
 * dimensions (fleet-wide alarms: Minimum of completeness, Sum of invalid features). Not per exchange or symbol:
 * every metric/dimension combination is a billed custom metric ($0.30 a month), which per symbol would cost
 * more than its whole pipeline. Exchange and symbol stay in the log line (and the quality report) to find the
 * culprit with Logs Insights.
 */

const PARTITION_DIMENSION_SETS = [[]] as const;

export function emitPartitionMetrics(
  job: string,
  exchange: string,
  symbol: string,
  metrics: readonly MetricValue[],
  extra: Record<string, unknown> = {},
): void {
  emitMetrics(metrics, {
    dimensions: { [Dimension.Exchange]: exchange, [Dimension.Symbol]: symbol },
    dimensionSets: PARTITION_DIMENSION_SETS,
    properties: { job, ...extra },
  });
}

/** Fleet-wide only: a run that found nothing to do still publishes a data point (e.g. 0 partitions built). */
export function emitFleetMetrics(job: string, metrics: readonly MetricValue[], extra: Record<string, unknown> = {}): void {
  emitMetrics(metrics, { properties: { job, ...extra } });
}
