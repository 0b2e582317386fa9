import { BRONZE_STALE_AFTER_SECONDS, computeHealth } from '../lib/app/health';
import { Dimension, Metric } from '../lib/monitoring/metrics';
import { emitMetrics } from '../lib/monitoring/emf';
import { optionalEnvInt } from './shared/env';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * Lake health on a schedule: publishes each exchange's BronzeAgeSeconds as a data point of one metric without
 * dimensions (its Maximum is the stalest exchange; the exchange is a field of the log line), and returns the
 * whole health object. An empty lake publishes nothing, so an alarm on it must treat missing data as breaching.
 */
export const handler = lambdaHandler('health', async (_event, log) => {
  const staleAfterSeconds = optionalEnvInt('STALE_AFTER_SECONDS', 1, 366 * 86_400) ?? BRONZE_STALE_AFTER_SECONDS;
  const health = await computeHealth(lakeStore(), Date.now(), { staleAfterSeconds });
  for (const ex of health.bronze) {
    emitMetrics([{ name: Metric.BronzeAgeSeconds, value: ex.ageSeconds, unit: 'Seconds' }], {
      dimensions: { [Dimension.Exchange]: ex.exchange },
      properties: { job: 'health' },
    });
  }
  if (!health.ok) log.warn({ problems: health.problems }, 'lake health problems');
  return health;
});
