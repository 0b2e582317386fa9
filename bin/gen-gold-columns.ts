import fs from 'node:fs';
import path from 'node:path';
import { goldFeatureColumnsSource } from '../lib/gold/feature-columns-source';

/** `npm run gen:gold-columns`: rewrites lib/schema/gold-feature-columns.ts from the Gold feature catalogue. */
const target = path.join(__dirname, '..', 'lib', 'schema', 'gold-feature-columns.ts');
fs.writeFileSync(target, goldFeatureColumnsSource());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
