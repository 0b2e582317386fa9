import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ColumnSpec, DatasetSpec, Row } from '../../lib/schema/types';

/** Valid rows for any registry dataset; nullable columns are null in every third row. */
export function sampleRows(d: DatasetSpec, n: number, startMs = Date.UTC(2024, 0, 2, 3, 0, 0)): Row[] {
  return Array.from({ length: n }, (_, i) => {
    const r: Row = {};
    for (const c of d.columns) r[c.name] = c.nullable && i % 3 === 2 ? null : sampleValue(c, i, startMs);
    return r;
  });
}

function sampleValue(c: ColumnSpec, i: number, startMs: number): number | string | boolean {
  switch (c.type) {
    case 'timestamp':
      return startMs + i * 60_000;
    case 'boolean':
      return i % 2 === 0;
    case 'string':
      return c.enum ? c.enum[i % c.enum.length] : `${c.name}-${i}`;
    case 'int32':
    case 'int64':
      return (c.min ?? 0) + i + (c.type === 'int64' ? 3_000_000_000 : 0);
    case 'double': {
      const lo = c.gt ?? c.min ?? 0;
      const hi = c.max ?? lo + 1000;
      return Math.min(hi, lo + 0.5 + i * 0.25);
    }
  }
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}
