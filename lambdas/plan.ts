import { planRebuild } from '../lib/app/rebuild-plan';
import { eventFields, optionalExchange, optionalSymbol, requiredDate } from './shared/event';
import { lambdaHandler } from './shared/handler';

/**
 * First state of the rebuild state machine: `{ from, to, exchange?, symbol? }` → `{ dates: [{ dt, exchange?,
 * symbol? }], count }`, the items its Silver and Gold Map states run over. Touches no data.
 */
export const handler = lambdaHandler('plan', async (event) => {
  const e = eventFields(event);
  return planRebuild({ from: requiredDate(e, 'from'), to: requiredDate(e, 'to'), exchange: optionalExchange(e), symbol: optionalSymbol(e) });
});
