import type { TrinoSQL } from 'dt-sql-parser';
import type * as Grammar from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser';

/**
 * Athena engine v3 runs Trino SQL; these checks hold SQL to Trino's grammar (dt-sql-parser's TrinoSQL) so SQL
 * that only DuckDB accepts (`x::int`, `GROUP BY ALL`, `SELECT * EXCLUDE`, `ILIKE`, `QUALIFY`) fails a test rather
 * than a user's Athena query. The parser takes about a second to load, so it is required on first use only; its
 * ESM build loads under tsx (what jest runs here), not under plain Node.
 */

let loaded: { sql: TrinoSQL; g: typeof Grammar } | undefined;

function trino(): { sql: TrinoSQL; g: typeof Grammar } {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: it takes about a second
    const { TrinoSQL: Parser } = require('dt-sql-parser') as typeof import('dt-sql-parser');
    // The parse tree's classes, for instanceof; the same module instance TrinoSQL builds its trees from.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above, and must be the instance TrinoSQL uses
    const g = require('dt-sql-parser/dist/lib/trino/TrinoSqlParser') as typeof Grammar;
    loaded = { sql: new Parser(), g };
  }
  return loaded;
}

/** Syntax errors as "line:column message"; empty when Trino's grammar accepts the SQL (`?` parameters included). */
export function trinoErrors(sql: string): string[] {
  return trino()
    .sql.validate(sql)
    .map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}

/** The statements of a script, split by the grammar (so a `;` inside a string literal does not split). */
export function trinoStatements(sql: string): string[] {
  const slices = trino().sql.splitSQLByStatement(sql);
  if (!slices) throw new Error(`not Trino SQL: ${trinoErrors(sql).join('; ')}`);
  return slices.map((s) => s.text.replace(/;\s*$/, '').trim()).filter(Boolean);
}

/**
 * Exact decimal literals such as `100.0`. Trino types them DECIMAL, so `100.0 * n / 1440` keeps scale 1 in
 * Athena while DuckDB answers a DOUBLE; portable SQL writes integers, `1e2` (a DOUBLE in both) or a CAST.
 */
export function decimalLiterals(sql: string): string[] {
  const { g } = trino();
  return nodes(parse(sql))
    .filter((n) => n instanceof g.DecimalLiteralContext)
    .map((n) => n.getText());
}

/**
 * Base tables read without a constant range on `column` (the partition key Athena prunes on): every table
 * reference of every SELECT must be constrained in its WHERE clause or its JOIN ... ON by a conjunct such as
 * `dt BETWEEN ? AND ?`, `k.dt >= '2026-01-01'` or `dt IN (...)` whose bounds are literals or parameters. A join
 * equality (`k.dt = f.dt`) does not count: pruning through it is up to the optimizer. An unqualified column
 * counts only when the SELECT reads a single relation. Named subqueries (WITH) are checked where defined.
 * Returns the table names (lower case) that are read unconstrained.
 */
export function tablesWithoutRange(sql: string, column = 'dt'): string[] {
  const { g } = trino();
  const tree = parse(sql);
  const all = nodes(tree);
  const ctes = new Set(all.filter((n) => n instanceof g.NamedQueryContext).map((n) => name(n.identifier().getText())));
  const missing: string[] = [];
  for (const qs of all.filter((n) => n instanceof g.QuerySpecificationContext)) {
    const own = nodes(qs).filter((n) => n !== qs && owner(n) === qs);
    const relations = own.filter((n) => n instanceof g.AliasedRelationContext);
    const conditions = [
      qs.whereClause()?.booleanExpression(),
      ...own.filter((n) => n instanceof g.JoinCriteriaContext).map((j) => j.booleanExpression()),
    ].filter((c) => c != null);
    const ranged = new Set(conditions.flatMap(conjuncts).flatMap(rangedColumn));
    for (const rel of relations) {
      const primary = rel.relationPrimary();
      if (!(primary instanceof g.TableNameContext)) continue;
      const table = name(primary.tableOrViewName().getText());
      if (ctes.has(table)) continue;
      const alias = name(rel.identifier()?.getText() ?? table.split('.').pop()!);
      if (!ranged.has(`${alias}.${column}`) && !(relations.length === 1 && ranged.has(column))) missing.push(table);
    }
  }
  return missing;

  /** The SELECT a node belongs to (the nearest enclosing one). */
  function owner(n: Node): Node | null {
    for (let p = n.parent; p; p = p.parent) if (p instanceof g.QuerySpecificationContext) return p;
    return null;
  }

  /** AND-ed terms of a condition, through parentheses; anything under OR or NOT stays one opaque term. */
  function conjuncts(b: Grammar.BooleanExpressionContext): Grammar.BooleanExpressionContext[] {
    if (b instanceof g.AndContext) return b.booleanExpression().flatMap(conjuncts);
    if (b instanceof g.PredicatedContext && !b.predicate()) {
      const v = b.valueExpression();
      const p = v instanceof g.ValueExpressionDefaultContext ? v.primaryExpression() : undefined;
      if (p instanceof g.ParenthesizedExpressionContext) return conjuncts(p.expression().booleanExpression());
    }
    return [b];
  }

  /** The column a term bounds by constants (`dt BETWEEN ? AND ?` → "dt"), if it is such a term. */
  function rangedColumn(b: Grammar.BooleanExpressionContext): string[] {
    if (!(b instanceof g.PredicatedContext)) return [];
    const p = b.predicate();
    const bounds =
      p instanceof g.BetweenContext && !p.KW_NOT()
        ? p.valueExpression()
        : p instanceof g.ComparisonContext && !['<>', '!='].includes(p.comparisonOperator().getText())
          ? [p.valueExpression()]
          : p instanceof g.InListContext && !p.KW_NOT()
            ? p.expression()
            : [];
    const constant = (n: Node) =>
      !nodes(n).some((x) => x instanceof g.ColumnReferenceContext || x instanceof g.SubqueryExpressionContext);
    return bounds.length > 0 && bounds.every(constant) ? [name(b.valueExpression().getText())] : [];
  }
}

/** Any rule node of a parse tree. */
type Node = NonNullable<Grammar.ProgramContext['parent']>;

function parse(sql: string): Grammar.ProgramContext {
  const errors = trinoErrors(sql);
  if (errors.length) throw new Error(`not Trino SQL: ${errors.join('; ')}`);
  return trino().sql.parse(sql);
}

/** A node and all rule nodes below it, depth first. */
function nodes(root: Node): Node[] {
  const out: Node[] = [root];
  for (const c of root.children ?? []) if ('children' in c) out.push(...nodes(c as Node));
  return out;
}

/** An identifier or dotted name as Trino resolves it when unquoted: case-insensitive. */
function name(text: string): string {
  return text.replace(/"/g, '').toLowerCase();
}
