import { syncCatalog } from '../lib/app/catalog-sync';
import { envList } from './shared/env';
import { eventFields, referenceTime } from './shared/event';
import { glueCatalog } from './shared/glue';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * The catalog job: sets each Glue table's projected exchanges, symbols and timeframes to the configured ones
 * (PROJECTED_EXCHANGES, PROJECTED_SYMBOLS) plus those the lake holds. Invoked hourly, after every deployment
 * of the stack (which resets changed tables to the template's values) and by the state machines once they have
 * written. Event `{ time? }`. Returns the tables it changed, with the values added and removed.
 */
export const handler = lambdaHandler('catalog', async (event, log) => {
  const fields = eventFields(event);
  const result = await syncCatalog({
    store: lakeStore(),
    catalog: glueCatalog(),
    configured: { exchanges: envList('PROJECTED_EXCHANGES'), symbols: envList('PROJECTED_SYMBOLS') },
    nowMs: referenceTime(fields),
  });
  for (const update of result.updated) log.info(update, 'projection updated');
  for (const warning of result.warnings) log.warn(warning);
  for (const table of result.tables.filter((x) => x.ignored.length)) {
    log.warn({ table: table.table, ignored: table.ignored }, 'lake folders that cannot be projected');
  }
  if (result.failed.length) {
    // Every other table has been brought up to date first; fail the invocation so the Lambda Errors alarm sees it.
    throw new Error(`catalog sync failed for ${result.failed.map((f) => `${f.table} (${f.error})`).join(', ')}`);
  }
  return { updated: result.updated, tables: result.tables.length, listings: result.listings, warnings: result.warnings };
});
