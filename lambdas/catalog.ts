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
  const e = eventFields(event);
  const result = await syncCatalog({
    store: lakeStore(), catalog: glueCatalog(),
    configured: { exchanges: envList('PROJECTED_EXCHANGES'), symbols: envList('PROJECTED_SYMBOLS') },
    nowMs: referenceTime(e),
  });
  for (const u of result.updated) log.info(u, 'projection updated');
  for (const w of result.warnings) log.warn(w);
  for (const t of result.tables.filter((x) => x.ignored.length)) {
    log.warn({ table: t.table, ignored: t.ignored }, 'lake folders that cannot be projected');
  }
  if (result.failed.length) {
    // Every other table has been brought up to date first; fail the invocation so the Lambda Errors alarm sees it.
    throw new Error(`catalog sync failed for ${result.failed.map((f) => `${f.table} (${f.error})`).join(', ')}`);
  }
  return { updated: result.updated, tables: result.tables.length, listings: result.listings, warnings: result.warnings };
});
