import { BRONZE_STALE_AFTER_SECONDS, computeHealth } from '../lib/app/health';
import { Dimension, Metric } from '../lib/monitoring/metrics';
import { emitMetrics } from '../lib/util/emf';
import { optionalEnvInt } from './shared/env';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * Lake health on a schedule: publishes BronzeAgeSeconds per exchange and its maximum without dimensions (the
 * freshness alarm), and returns the whole health object. An empty lake publishes nothing, so the alarm must
 * treat missing data as breaching.
 */
export const handler = lambdaHandler('health', async (_event, log) => {
  const staleAfterSeconds = optionalEnvInt('STALE_AFTER_SECONDS', 1, 366 * 86_400) ?? BRONZE_STALE_AFTER_SECONDS;
  const health = await computeHealth(lakeStore(), Date.now(), { staleAfterSeconds });
  for (const ex of health.bronze) {
    emitMetrics([{ name: Metric.BronzeAgeSeconds, value: ex.ageSeconds, unit: 'Seconds' }], { [Dimension.Exchange]: ex.exchange }, [[Dimension.Exchange]], undefined, { job: 'health' });
  }
  if (health.bronze.length) {
    const max = Math.max(...health.bronze.map((ex) => ex.ageSeconds));
    emitMetrics([{ name: Metric.BronzeAgeSeconds, value: max, unit: 'Seconds' }], {}, [[]], undefined, { job: 'health' });
  }
  if (!health.ok) log.warn({ problems: health.problems }, 'lake health problems');
  return health;
});

