import { featureColumns } from './feature-columns';

/**
 * The text of lib/schema/gold-feature-columns.ts: the catalogue's columns written out as data, so the schema
 * registry describes gold/features_1m without importing lib/gold (imports run one way, docs/architecture.md).
 * `npm run gen:gold-columns` writes it; test/gold/features.test.ts fails when the file is out of date.
 */

const quote = (s: string) => (s.includes("'") ? JSON.stringify(s) : `'${s.replace(/\\/g, '\\\\')}'`);

/** The file is written as `npm run format` (Biome, width 130) would format it, so that `format:check` passes. */
const WIDTH = 130;

/** A string argument on lines of its own: one literal, or literals joined by `+` at spaces when it is too long. */
function stringArgument(s: string): string[] {
  const parts: string[] = [];
  let rest = s;
  // Each line holds 4 (first) or 6 (continuation) spaces, the quotes and ` +` or `,` around its part.
  while (quote(rest).length > WIDTH - (parts.length ? 6 : 4) - 1) {
    const room = WIDTH - (parts.length ? 6 : 4) - 4;
    const cut = rest.lastIndexOf(' ', room - 1) + 1;
    if (cut <= 0) break;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts.map((p, i) => `${i === 0 ? '    ' : '      '}${quote(p)}${i < parts.length - 1 ? ' +' : ','}`);
}

/** `dbl(name, description, nullable[, { bounds }])`: on one line, else hugging the bounds object, else one argument a line. */
function dblCall(name: string, description: string, nullable: boolean, bounds: string[]): string[] {
  const head = `  dbl(${name}, ${quote(description)}, ${nullable}`;
  const object = bounds.length ? `{ ${bounds.join(', ')} }` : undefined;
  const oneLine = `${head}${object ? `, ${object}` : ''}),`;
  if (oneLine.length <= WIDTH) return [oneLine];
  if (object && `${head}, {`.length <= WIDTH) return [`${head}, {`, ...bounds.map((b) => `    ${b},`), '  }),'];
  return [
    '  dbl(',
    `    ${name},`,
    ...stringArgument(description),
    `    ${nullable},`,
    ...(object ? [`    ${object},`] : []),
    '  ),',
  ];
}

export function goldFeatureColumnsSource(): string {
  const lines = featureColumns().flatMap((c) => {
    if (c.type !== 'double') throw new Error(`feature column ${c.name} is ${c.type}; the generator writes doubles only`);
    const bounds = (['min', 'gt', 'max'] as const).filter((k) => c[k] !== undefined).map((k) => `${k}: ${c[k]}`);
    return dblCall(quote(c.name), c.description, c.nullable, bounds);
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
