import { decimalLiterals, tablesWithoutRange, trinoErrors, trinoStatements } from '../helpers/trino';

/**
 * The checks in test/helpers/trino.ts vouch for the repository's SQL only if they can fail, so each is shown here
 * rejecting what it exists to reject (the DuckDB-isms below are the ones Athena users hit) and accepting what Athena
 * takes.
 */

describe('Trino grammar checks (test/helpers/trino.ts)', () => {
  it.each([
    ['a :: cast', 'SELECT x::int FROM t'],
    ['GROUP BY ALL', 'SELECT a, count(*) FROM t GROUP BY ALL'],
    ['SELECT * EXCLUDE', 'SELECT * EXCLUDE (a) FROM t'],
    ['ILIKE', "SELECT a FROM t WHERE a ILIKE 'x%'"],
    ['QUALIFY', 'SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1'],
    ['a second, broken statement', 'SELECT 1; SELEC 2'],
  ])(
    'rejects DuckDB-only or broken SQL: %s',
    (_what, sql) => {
      expect(trinoErrors(sql)).not.toEqual([]);
    },
    30_000,
  );

  it('accepts what Athena takes: CAST to double, ? parameters, date_diff, window functions', () => {
    expect(
      trinoErrors(`SELECT CAST(sum(a) AS double) * 100 / 1440, date_diff('second', s, e),
      row_number() OVER (PARTITION BY b ORDER BY ts DESC) AS rn FROM t WHERE dt BETWEEN ? AND ? GROUP BY b, s, e, ts`),
    ).toEqual([]);
  }, 30_000);

  it('splits statements where Trino would, not at a ; inside a string', () => {
    expect(trinoStatements("SELECT 1;\nSELECT ';' AS s;\n")).toEqual(['SELECT 1', "SELECT ';' AS s"]);
  });

  it('finds exact decimal literals, not integers or doubles', () => {
    expect(decimalLiterals("SELECT 100.0 * n / 1440, 1e2, 7, '1.5' FROM t")).toEqual(['100.0']);
  });

  it.each([
    ['a join whose side has no range', 'SELECT * FROM f JOIN k ON k.ts = f.ts WHERE f.dt = ?', ['k']],
    ['a join equality, left to the optimizer', 'SELECT * FROM f JOIN k ON k.dt = f.dt WHERE f.dt = ?', ['k']],
    ['a range under OR', "SELECT * FROM t WHERE dt = '2026-01-01' OR a = 1", ['t']],
    ['a range under NOT', "SELECT * FROM t WHERE NOT (dt = '2026-01-01')", ['t']],
    ['an exclusion', "SELECT * FROM t WHERE dt <> '2026-01-01' AND dt NOT IN ('2026-01-02')", ['t']],
    ['a subquery bound', 'SELECT * FROM t WHERE dt = (SELECT max(dt) FROM t)', ['t', 't']],
    ['an unqualified column in a join', 'SELECT * FROM f JOIN k ON k.ts = f.ts WHERE dt = ?', ['f', 'k']],
    ['one arm of a UNION', 'SELECT a FROM t WHERE dt = ? UNION ALL SELECT a FROM u', ['u']],
  ])(
    'reports a table read without a dt range: %s',
    (_what, sql, tables) => {
      expect(tablesWithoutRange(sql)).toEqual(tables);
    },
    30_000,
  );

  it.each([
    ['BETWEEN parameters', 'SELECT * FROM t WHERE a = 1 AND dt BETWEEN ? AND ?'],
    ['a lower bound in parentheses', "SELECT * FROM t WHERE (a = 1 AND dt >= '2026-11-01')"],
    ['IN a list', "SELECT * FROM db.t WHERE \"dt\" IN ('2026-11-01', '2026-11-02')"],
    ['both sides of a join', 'SELECT * FROM f JOIN k ON k.ts = f.ts AND k.dt BETWEEN ? AND ? WHERE f.dt BETWEEN ? AND ?'],
    [
      'a subquery and a named subquery',
      'WITH w AS (SELECT * FROM u WHERE dt = ?) SELECT * FROM (SELECT * FROM t WHERE dt = ?) x JOIN w ON w.a = x.a',
    ],
  ])(
    'accepts tables read within a dt range: %s',
    (_what, sql) => {
      expect(tablesWithoutRange(sql)).toEqual([]);
    },
    30_000,
  );
});
