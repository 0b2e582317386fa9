import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import type { ArchiveFile } from '../../lib/exchanges/binance/archive-layout';
import { archiveLines } from '../../lib/history/archive-source';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import type { RunningArchiveServer } from '../../lib/simulator';
import { LocalObjectStore } from '../../lib/storage/local-store';

/** What the `lakehouse history` tests read back of a lake and of the offline archive (lib/simulator/archive). */

/** Every file under the lake (or under `folder` of it) with its sha256: what "the same lake" means. */
export function lakeFiles(lake: string, folder = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(lake, full), createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
    }
  };
  if (fs.existsSync(path.join(lake, folder))) walk(path.join(lake, folder));
  return out;
}

/** Writes the ZIP the server serves for a file into `folder`, under the archive's file name. */
export function saveServedZip(
  server: RunningArchiveServer,
  file: Pick<ArchiveFile, 'urlPath' | 'fileName'>,
  folder: string,
): string {
  fs.mkdirSync(folder, { recursive: true });
  const local = path.join(folder, file.fileName);
  const served = server.fileBytes(file.urlPath);
  if (!served) throw new Error(`the archive has no ${file.urlPath}`);
  fs.writeFileSync(local, served.zip);
  return local;
}

/** Data lines of a served file: its lines without the header (USD-M files have one, spot files none). */
export async function servedDataLines(
  server: RunningArchiveServer,
  file: Pick<ArchiveFile, 'urlPath' | 'fileName'>,
  folder: string,
): Promise<number> {
  const local = saveServedZip(server, file, folder);
  let lines = 0;
  for await (const line of archiveLines(local)) if (line.text.trim() !== '' && /^-?\d/.test(line.text)) lines++;
  fs.rmSync(local);
  return lines;
}

/** Partition values a Bronze object's key must hold (`timeframe=1m`, `exchange=binance`, …). */
export type BronzeWhere = Partial<Record<'timeframe' | 'exchange' | 'symbol' | 'dt', string>>;

/** The keys of a Bronze dataset's objects whose partitions match `where`, in listing order. */
export async function bronzeKeys(lake: string, name: string, where: BronzeWhere = {}): Promise<string[]> {
  const store = new LocalObjectStore(lake);
  const wanted = Object.entries(where).map(([key, value]) => `/${key}=${value}/`);
  const keys: string[] = [];
  for await (const object of store.list(`bronze/${name}/`)) {
    if (wanted.every((part) => object.key.includes(part))) keys.push(object.key);
  }
  return keys;
}

/** Rows of a Bronze dataset whose partitions match `where`, with the objects' keys. */
export async function bronzeRows(lake: string, name: string, where: BronzeWhere = {}) {
  const keys = await bronzeKeys(lake, name, where);
  return { keys, table: await readTables(new LocalObjectStore(lake), dataset('bronze', name), keys) };
}

/** Rows in Parquet objects of the lake, from their footers (nothing decoded: a month of book depth is millions). */
export function parquetRowCount(lake: string, keys: readonly string[]): number {
  let rows = 0;
  for (const key of keys) {
    const bytes = fs.readFileSync(path.join(lake, key));
    rows += Number(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).num_rows);
  }
  return rows;
}

/** Every row of the import ledger. */
export async function ledgerRows(lake: string) {
  return (await bronzeRows(lake, 'import_ledger')).table;
}
