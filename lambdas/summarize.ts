import { summarizeMapRun } from '../lib/app/build-summary';
import { Metric } from '../lib/monitoring/metrics';
import { eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';
import { UserError } from '../lib/util/errors';

/**
 * Last state of the build state machine: `{ silver: { plan, run }, gold: { plan, run } }`, each `run` being a
 * Distributed Map's output (`ResultWriterDetails.Key` names its manifest) → per stage the partitions planned,
 * built and failed (listing the failed ones), and the BuildFailedPartitions metric behind the alarm of that name.
 */
export const handler = lambdaHandler('summarize', async (event, log) => {
  const fields = eventFields(event);
  const stage = async (name: 'silver' | 'gold') => {
    const stage = eventFields(fields[name]);
    const plan = eventFields(stage.plan);
    const key = eventFields(eventFields(stage.run).ResultWriterDetails).Key;
    if (typeof key !== 'string' || typeof plan.count !== 'number')
      throw new UserError(`event.${name} needs plan.count and run.ResultWriterDetails.Key`);
    return summarizeMapRun(lakeStore(), key, plan.count);
  };
  const silver = await stage('silver');
  const gold = await stage('gold');
  const failed = silver.failed + gold.failed + silver.notRun + gold.notRun;
  emitFleetMetrics('summarize', [{ name: Metric.BuildFailedPartitions, value: failed, unit: 'Count' }]);
  if (failed > 0)
    log.warn({ silver: silver.failedPartitions, gold: gold.failedPartitions }, `${failed} partitions were not built`);
  return { silver, gold };
});
