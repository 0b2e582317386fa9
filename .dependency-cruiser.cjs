/**
 * Import rules, checked by `npm run lint:deps` (part of `npm test`). docs/architecture.md explains the layers.
 *
 * lib/ is layered: a folder may import its own modules and the folders of the layers below it, never a folder of
 * its own layer or of a layer above. lib/cdk stands beside the layers with its own short list. Entry points (bin/,
 * lambdas/, collector-fargate/) may import lib/; lib/ never imports them, nor test/ or bench/.
 */

/** Bottom to top. */
const LAYERS = [
  ['util'],
  ['schema'],
  ['table', 'storage'],
  ['parquet'],
  ['exchanges', 'lake', 'monitoring'],
  ['bronze', 'silver'],
  ['gold', 'history', 'collector', 'catalog', 'queries', 'local', 'simulator'],
  ['app'],
];

/** What lib/cdk may import besides itself: the registry and the few descriptions the deployment is built from. */
const CDK_MAY_IMPORT = [
  '^lib/schema/',
  '^lib/exchanges/(registry|profile|types)[.]ts$',
  '^lib/monitoring/metrics[.]ts$',
  '^lib/storage/lake-paths[.]ts$',
  '^lib/queries/',
];

const alternatives = (folders) => `^lib/(${folders.join('|')})/`;

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = [...LAYERS.slice(i + 1).flat(), 'cdk'];
  return layer.map((folder) => ({
    name: `layer-${folder}`,
    comment: `lib/${folder} may import only ${
      i === 0
        ? 'itself'
        : `itself and ${LAYERS.slice(0, i)
            .flat()
            .map((f) => `lib/${f}`)
            .join(', ')}`
    }`,
    severity: 'error',
    from: { path: `^lib/${folder}/` },
    to: {
      path: alternatives([...layer.filter((f) => f !== folder), ...above]),
    },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules must not import each other in a circle, in lib/, the entry points, tests or bench.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment:
        'A module of lib/ or an entry point that imports nothing and that nothing imports is dead code (test fixtures may be)',
      severity: 'error',
      from: { orphan: true, path: '^(lib|bin|lambdas|collector-fargate)/', pathNot: '[.]d[.]ts$' },
      to: {},
    },
    ...layerRules,
    {
      name: 'cdk-imports-only-descriptions',
      comment: `lib/cdk may import only lib/cdk and ${CDK_MAY_IMPORT.join(', ')}: the deployment is built from the registry, not from job code`,
      severity: 'error',
      from: { path: '^lib/cdk/' },
      to: { path: '^lib/', pathNot: ['^lib/cdk/', ...CDK_MAY_IMPORT] },
    },
    {
      name: 'lib-not-to-entry-points-or-tests',
      comment: 'lib/ is imported by bin/, lambdas/, collector-fargate/, test/ and bench/, never the other way round',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: ['^(bin|lambdas|collector-fargate|test|bench)/'] },
    },
    {
      name: 'entry-points-apart',
      comment: 'bin/, lambdas/ and collector-fargate/ share code through lib/, not by importing each other (or tests)',
      severity: 'error',
      from: { path: '^(bin|lambdas|collector-fargate)/' },
      to: { path: '^(bin|lambdas|collector-fargate|test|bench)/', pathNot: '^$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk[.]out)/' },
    // Type-only imports count: a type import upward is still an upward dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    cache: false,
  },
};
