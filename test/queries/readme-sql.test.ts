import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import type { LocalObjectStore } from '../../lib/storage/local-store';
import { lakehouse } from '../helpers/cli';
import { buildArchiveLake } from '../helpers/query-lake';
import { decimalLiterals, tablesWithoutRange, trinoErrors, trinoStatements } from '../helpers/trino';

/**
 * The README's SQL, read from README.md itself so an edit there is what gets checked: the ```sql blocks under
 * "Querying in Athena" (Athena SQL) and every `npx lakehouse query "..."` line (local SQL). Both promise SQL that
 * runs in Athena (Trino) and in DuckDB alike.
 */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

const athenaSection = /^### Querying in Athena\n([\s\S]*?)(?=^#{1,3} )/m.exec(README)?.[1] ?? '';
/** A test name: the example's kind and number, and the start of its SQL. */
const label = (kind: string, i: number, sql: string) => `${kind} example ${i + 1} (${sql.replace(/\s+/g, ' ').slice(0, 50)}…)`;

const ATHENA = [...athenaSection.matchAll(/^```sql\n([\s\S]*?)^```$/gm)]
  .flatMap((m) => trinoStatements(m[1]))
  .map((sql, i) => ({ name: label('Athena', i, sql), sql }));

const CLI = [...README.matchAll(/^npx lakehouse query "([^"]*)"(.*)$/gm)].map((m, i) => ({
  name: label('lakehouse query', i, m[1]),
  sql: m[1],
  flags: m[2]
    .replace(/\s+#.*$/, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean),
}));

/** Data rows in `lakehouse query` output of the given format (see lib/app/format.ts). */
function outputRows(stdout: string, format: string): number {
  const lines = stdout.split('\n').filter(Boolean);
  if (format === 'json') return lines.length;
  if (format === 'csv') return lines.length - 1;
  return Number(/^\((\d+) rows?\)$/.exec(lines.at(-1) ?? '')?.[1] ?? NaN);
}

describe('README SQL examples: Trino grammar', () => {
  it('finds the README examples', () => {
    // Floors, not exact counts: new examples are checked without editing this test; a broken extraction is not.
    expect(ATHENA.length).toBeGreaterThanOrEqual(2);
    expect(CLI.length).toBeGreaterThanOrEqual(3);
  });

  it.each([...ATHENA, ...CLI])(
    '$name parses with a Trino grammar, with no decimal literal',
    ({ sql }) => {
      expect(trinoErrors(sql)).toEqual([]);
      expect(decimalLiterals(sql)).toEqual([]);
    },
    30_000,
  );

  it.each(ATHENA)(
    '$name reads every table within a dt range, as the README tells users to',
    ({ sql }) => {
      expect(tablesWithoutRange(sql)).toEqual([]);
    },
    30_000,
  );

  it.each(CLI)("$name reaches the CLI verbatim through a shell's double quotes", ({ sql }) => {
    expect(sql).not.toMatch(/[$`\\!]/);
  });
});

describe('README SQL examples: DuckDB on a local lake', () => {
  let store: LocalObjectStore;
  let engine: LakeQueryEngine;

  beforeAll(async () => {
    store = await buildArchiveLake('readme-sql');
    engine = await LakeQueryEngine.open(store.localRoot);
  }, 60_000);
  afterAll(() => engine?.close());

  // The lake holds February 2023 and the Athena examples ask for November 2026, so they bind and run but find no rows.
  it.each(ATHENA)(
    '$name runs in DuckDB',
    async ({ sql }) => {
      const r = await engine.query(sql);
      expect(r.columns.length).toBeGreaterThan(0);
    },
    30_000,
  );

  it.each(CLI)(
    '$name runs through the CLI, with its flags, and returns rows',
    async (c) => {
      const expected = await engine.query(c.sql);
      expect(expected.rows.length).toBeGreaterThan(0);
      const r = await lakehouse(['query', c.sql, ...c.flags, '--lake', store.localRoot], { timeoutMs: 60_000 });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const f = c.flags.indexOf('--format');
      expect(outputRows(r.stdout, f >= 0 ? c.flags[f + 1] : 'table')).toBe(expected.rows.length);
    },
    90_000,
  );
});
