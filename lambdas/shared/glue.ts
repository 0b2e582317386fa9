import { GlueTableCatalog } from '../../lib/catalog/glue-catalog';
import { requiredEnv } from './env';

/**
 * The Glue database of the lake's tables: `GLUE_DATABASE`. `GLUE_ENDPOINT` points the SDK at a stand-in
 * (tests); it is never set in AWS. Kept for the life of the execution environment, like the lake store.
 */

let cached: { id: string; catalog: GlueTableCatalog } | undefined;

export function glueCatalog(env: NodeJS.ProcessEnv = process.env): GlueTableCatalog {
  const database = requiredEnv('GLUE_DATABASE', env);
  const endpoint = env.GLUE_ENDPOINT?.trim() || undefined;
  const id = `${database}|${endpoint ?? ''}`;
  if (cached?.id !== id) {
    cached = { id, catalog: new GlueTableCatalog(database, endpoint ? { endpoint, region: env.AWS_REGION || 'us-east-1' } : {}) };
  }
  return cached.catalog;
}
