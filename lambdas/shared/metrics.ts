import { Dimension } from '../../lib/monitoring/metrics';
import { emitMetrics, type MetricValue } from '../../lib/util/emf';

/**
 * EMF emission of the per-partition job metrics. Each exchange/symbol result is one log line published three
 * times: without dimensions (fleet-wide alarms: Minimum of completeness, Sum of partitions), per exchange and
 * per exchange and symbol (dashboards, finding the culprit).
 */

const PARTITION_DIMENSION_SETS = [[], [Dimension.Exchange], [Dimension.Exchange, Dimension.Symbol]] as const;

export function emitPartitionMetrics(job: string, exchange: string, symbol: string, metrics: readonly MetricValue[], extra: Record<string, unknown> = {}): void {
  emitMetrics(metrics, { [Dimension.Exchange]: exchange, [Dimension.Symbol]: symbol }, PARTITION_DIMENSION_SETS, undefined, { job, ...extra });
}

/** Fleet-wide only: a run that found nothing to do still publishes a data point (e.g. 0 partitions built). */
export function emitFleetMetrics(job: string, metrics: readonly MetricValue[], extra: Record<string, unknown> = {}): void {
  emitMetrics(metrics, {}, [[]], undefined, { job, ...extra });
}
