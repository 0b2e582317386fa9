import { buildItemsKey, planPartitions } from '../lib/app/build-plan';
import { UserError } from '../lib/util/errors';
import { dayJobRange, eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * A stage of the build state machine: `{ stage: 'silver'|'gold', execution, request: { from?, to?, exchange?, symbol?,
 * time? } }` → the partitions to build, written as a JSON array to `jobs/builds/{execution}/{stage}-items.json` for
 * the Distributed Map's ItemReader, and `{ key, count, from, to }`. Without `from`/`to` (the daily schedule) the
 * range is the day before `time`, and Gold items also relabel the day before that.
 */
export const handler = lambdaHandler('plan', async (event) => {
  const fields = eventFields(event);
  const stage = fields.stage;
  if (stage !== 'silver' && stage !== 'gold') throw new UserError(`event.stage ${JSON.stringify(stage)} is not silver or gold`);
  if (typeof fields.execution !== 'string') throw new UserError('event.execution (the execution name) is required');
  const { range, scheduled } = dayJobRange(fields.request);
  const items = await planPartitions(lakeStore(), stage, range, { relabel: scheduled });
  const key = buildItemsKey(fields.execution, stage);
  // The lake is the bucket's root in every deployment, so the lake key is also the bucket key the ItemReader reads.
  await lakeStore().put(key, JSON.stringify(items));
  return { key, count: items.length, from: range.from, to: range.to };
});
