import {
  GetTableCommand,
  GlueClient,
  UpdateTableCommand,
  type GlueClientConfig,
  type Table,
  type TableInput,
} from '@aws-sdk/client-glue';
import { CatalogConflictError, MissingTableError, type CatalogTable, type TableCatalog } from './table-catalog';

/**
 * The tables of one Glue database. UpdateTable replaces the whole table definition, so the input is rebuilt
 * from GetTable's answer with only the parameters changed, and sent with the VersionId that answer carried:
 * if CloudFormation (or another run) changed the table in between, Glue refuses the stale write instead of
 * silently reverting their change.
 */
export class GlueTableCatalog implements TableCatalog {
  readonly client: GlueClient;

  constructor(
    readonly databaseName: string,
    client: GlueClient | GlueClientConfig = {},
  ) {
    this.client = client instanceof GlueClient ? client : new GlueClient(client);
  }

  async table(name: string): Promise<CatalogTable> {
    let table: Table | undefined;
    try {
      table = (await this.client.send(new GetTableCommand({ DatabaseName: this.databaseName, Name: name }))).Table;
    } catch (err) {
      if ((err as Error).name === 'EntityNotFoundException')
        throw new MissingTableError(name, `Glue database ${this.databaseName}`);
      throw err;
    }
    if (!table) throw new MissingTableError(name, `Glue database ${this.databaseName}`);
    const found = table;
    return {
      parameters: { ...found.Parameters },
      setParameters: async (parameters) => {
        try {
          await this.client.send(
            new UpdateTableCommand({
              DatabaseName: this.databaseName,
              TableInput: { ...tableInput(found), Parameters: { ...parameters } },
              VersionId: found.VersionId,
              // The projection is derived from the lake and rewritten whenever it grows: archiving each version would
              // only fill Glue's table-version quota.
              SkipArchive: true,
            }),
          );
        } catch (err) {
          if ((err as Error).name === 'ConcurrentModificationException') throw new CatalogConflictError(name, err);
          throw err;
        }
      },
    };
  }
}

/**
 * The writable part of a table as GetTable returns it. Named field by field: a Table also carries read-only
 * fields (DatabaseName, CreateTime, VersionId, ...) that are no part of a TableInput.
 */
export function tableInput(table: Table): TableInput {
  return {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    LastAccessTime: table.LastAccessTime,
    LastAnalyzedTime: table.LastAnalyzedTime,
    Retention: table.Retention,
    StorageDescriptor: table.StorageDescriptor,
    PartitionKeys: table.PartitionKeys,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
    TableType: table.TableType,
    Parameters: table.Parameters,
    TargetTable: table.TargetTable,
  };
}
