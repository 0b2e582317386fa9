import { featureColumns } from './feature-columns';

/**
 * The text of lib/schema/gold-feature-columns.ts: the catalogue's columns written out as data, so the schema
 * registry describes gold/features_1m without importing lib/gold (imports run one way, docs/architecture.md).
 * `npm run gen:gold-columns` writes it; test/gold/features.test.ts fails when the file is out of date.
 */

const quote = (s: string) => (s.includes("'") ? JSON.stringify(s) : `'${s.replace(/\\/g, '\\\\')}'`);

export function goldFeatureColumnsSource(): string {
  const lines = featureColumns().map((c) => {
    if (c.type !== 'double') throw new Error(`feature column ${c.name} is ${c.type}; the generator writes doubles only`);
    const extra = (['min', 'gt', 'max'] as const).filter((k) => c[k] !== undefined).map((k) => `${k}: ${c[k]}`);
    return `  dbl(${quote(c.name)}, ${quote(c.description)}, ${c.nullable}${extra.length ? `, { ${extra.join(', ')} }` : ''}),`;
  });
  return [
    '// Generated from the Gold feature catalogue (lib/gold/feature-columns.ts) by `npm run gen:gold-columns`: do not edit.',
    '// It is data in the schema so that the registry (and with it Glue, DuckDB and the CDK app) describes',
    '// gold/features_1m without importing the feature code; test/gold/features.test.ts fails when it is out of date.',
    "import { dbl } from './columns';",
    "import type { ColumnSpec } from './types';",
    '',
    '/** The feature and label columns of gold/features_1m, after its fixed columns, in catalogue order. */',
    'export const GOLD_FEATURE_COLUMNS: readonly ColumnSpec[] = [',
    ...lines,
    '];',
    '',
  ].join('\n');
}
