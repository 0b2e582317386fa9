import { summarizeMapRun } from '../lib/app/build-summary';
import { Metric } from '../lib/monitoring/metrics';
import { UserError } from '../lib/util/errors';
import { eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { emitFleetMetrics } from './shared/metrics';
import { lakeStore } from './shared/store';

/**
 * Last state of the history-load state machine: `{ plan, files, build }` (the plan's output, the files' Distributed
 * Map output, whose `ResultWriterDetails.Key` names its manifest, and the nested build's output) → the files planned,
 * imported and failed (listing the failed ones with the importer's reason), the plan's gaps, and the build's summary;
 * the files not imported as the HistoryFailedFiles metric behind the alarm of that name (a load whose failures stay
 * within its tolerance succeeds, so the execution alarm does not see them).
 */
export const handler = lambdaHandler('history-summary', async (event, log) => {
  const fields = eventFields(event);
  const plan = eventFields(fields.plan);
  const key = eventFields(eventFields(fields.files).ResultWriterDetails).Key;
  if (typeof key !== 'string' || typeof plan.count !== 'number')
    throw new UserError('event needs plan.count and files.ResultWriterDetails.Key');
  const files = await summarizeMapRun(lakeStore(), key, plan.count);
  const notLoaded = files.failed + files.notRun;
  emitFleetMetrics('history-summary', [{ name: Metric.HistoryFailedFiles, value: notLoaded, unit: 'Count' }]);
  if (notLoaded > 0) log.warn({ failed: files.failedPartitions }, `${notLoaded} archive files were not imported`);
  const build = eventFields(fields.build);
  return {
    files,
    gaps: Array.isArray(plan.gaps) ? plan.gaps : [],
    build: build.output ?? null,
  };
});
