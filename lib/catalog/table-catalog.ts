/**
 * The little of a metadata catalog the catalog job needs: read a table's parameters, and replace them unless
 * someone else changed the table in between. Glue implements it (glue-catalog.ts); tests use a map.
 */

export interface CatalogTable {
  readonly parameters: Readonly<Record<string, string>>;
  /** Replaces the table's parameters, everything else kept; throws CatalogConflictError if the table changed since it was read. */
  setParameters(parameters: Readonly<Record<string, string>>): Promise<void>;
}

export interface TableCatalog {
  /** A table as it is now; throws MissingTableError when there is none of that name. */
  table(name: string): Promise<CatalogTable>;
}

/** The table changed between reading and writing it (a deployment, another run): read it again. */
export class CatalogConflictError extends Error {
  constructor(
    readonly table: string,
    cause?: unknown,
  ) {
    super(`table ${table} changed while it was being updated`, { cause });
    this.name = 'CatalogConflictError';
  }
}

export class MissingTableError extends Error {
  constructor(
    readonly table: string,
    where: string,
  ) {
    super(`no table ${table} in ${where}`);
    this.name = 'MissingTableError';
  }
}
