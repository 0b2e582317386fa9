import { createHash } from 'node:crypto';
import { dayStartMs, type ArchiveFile } from '../exchanges/binance/archive-layout';
import { baseQuote } from '../exchanges/symbols';
import { readParquet } from '../parquet/read';
import { putTable } from '../parquet/write';
import type { ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import type { Row } from '../schema/types';
import { bronzeFileId, bronzeFileKey } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';

/**
 * The import ledger of `lakehouse history` (docs/history.md, "The import ledger"): one row per archive file, in the
 * registry's `bronze/import_ledger` so Glue and DuckDB see it as `bronze_import_ledger`. Each file's row is its own
 * small Parquet object under a key derived from the archive path, filed under the file's first day, so recording
 * a file is one atomic put (a re-run or a republished file replaces it) and looking one up is one get. A file is
 * recorded only after its Bronze objects are written: an interrupted run leaves no `imported` row for a file it
 * did not finish.
 */

export type LedgerStatus = 'imported' | 'missing' | 'failed';

export interface LedgerEntry {
  readonly file: ArchiveFile;
  readonly exchange: ExchangeId;
  readonly sourceUrl: string;
  readonly sha256: string | null;
  readonly bytes: number;
  readonly rows: number;
  readonly rejected: number;
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  readonly status: LedgerStatus;
  readonly reason: string | null;
  readonly importedAt: number;
}

/** What a re-run needs of a file's earlier row. */
export interface LedgerRecord {
  readonly status: LedgerStatus;
  readonly sha256: string | null;
  readonly rows: number;
}

const LEDGER = dataset('bronze', 'import_ledger');

/** A short id of an archive path: the ledger object's name. */
export const archivePathId = (urlPath: string): string =>
  bronzeFileId('archive', createHash('sha256').update(urlPath).digest('hex'));

export function ledgerKey(exchange: ExchangeId, file: ArchiveFile): string {
  const values = { exchange, symbol: file.symbol, dt: file.firstDay, hour: 0 };
  return bronzeFileKey(LEDGER, values, dayStartMs(file.firstDay), archivePathId(file.urlPath));
}

/** The file's earlier row, or undefined when there is none or it cannot be read (the file is then imported again). */
export async function readLedgerRecord(
  store: ObjectStore,
  exchange: ExchangeId,
  file: ArchiveFile,
): Promise<LedgerRecord | undefined> {
  const key = ledgerKey(exchange, file);
  const bytes = await store.tryGet(key);
  if (!bytes) return undefined;
  try {
    const table = await readParquet(LEDGER, bytes, key);
    if (table.length !== 1) return undefined;
    const status = table.str('status')[0];
    if (status !== 'imported' && status !== 'missing' && status !== 'failed') return undefined;
    return { status, sha256: table.str('sha256')[0], rows: table.num('rows')[0] };
  } catch {
    return undefined;
  }
}

export async function writeLedgerEntry(store: ObjectStore, entry: LedgerEntry): Promise<void> {
  const { base, quote } = baseQuote(entry.file.symbol);
  const row: Row = {
    file_start: dayStartMs(entry.file.firstDay),
    archive_dataset: entry.file.dataset,
    archive_interval: entry.file.interval ?? null,
    period: entry.file.period,
    source_url: entry.sourceUrl,
    archive_path: entry.file.urlPath,
    sha256: entry.sha256,
    bytes: entry.bytes,
    rows: entry.rows,
    rejected: entry.rejected,
    first_time: entry.firstTime,
    last_time: entry.lastTime,
    status: entry.status,
    reason: entry.reason,
    imported_at: entry.importedAt,
    base,
    quote,
    ingest_time: entry.importedAt,
    source: 'archive',
  };
  await putTable(store, ledgerKey(entry.exchange, entry.file), Table.fromRows(LEDGER, [row]));
}
