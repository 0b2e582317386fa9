import path from 'node:path';
import { type ArchiveDataset, type ArchiveFile, type ArchiveMarket, parseArchivePath } from '../exchanges/binance/archive-layout';
import type { ExchangeId } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { importLocalArchiveFile } from './archive-file-import';
import { archiveRowMappers } from './archive-rows';
import { ArchiveError, checkArchiveFile, verifyChecksum } from './archive-source';

/**
 * `lakehouse import --dataset D` for the archive datasets other than klines (docs/import.md, "Other archive
 * datasets"): one data.binance.vision file already on disk, named as the archive names it, through the same per-file
 * importer as `lakehouse history` (lib/history/archive-file-import.ts): the same mappers, Bronze day objects, quarantine,
 * refusal and ledger row. The name gives symbol, period and days; `--exchange` gives the market.
 */

/** The exchanges whose files the Binance archive holds, and their market in it (docs/history.md, "Paths"). */
export const ARCHIVE_EXCHANGE_MARKETS = { binance: 'spot', 'binance-futures': 'futures/um' } as const satisfies Partial<
  Record<ExchangeId, ArchiveMarket>
>;
export type ArchiveExchange = keyof typeof ARCHIVE_EXCHANGE_MARKETS;

/** The datasets `import` reads besides klines, spelled as the archive spells them. */
export const ARCHIVE_IMPORT_DATASETS = ['trades', 'aggTrades', 'fundingRate', 'metrics', 'bookDepth', 'bookTicker'] as const;
export type ArchiveImportDataset = (typeof ARCHIVE_IMPORT_DATASETS)[number];

export interface ArchiveDatasetImportOptions {
  readonly store: ObjectStore;
  readonly file: string;
  readonly dataset: ArchiveImportDataset;
  readonly exchange: ExchangeId;
  /** When given, it must be the symbol the file name says (the name decides the Bronze partitions). */
  readonly symbol?: string;
  readonly now?: () => number;
}

export interface ArchiveDatasetImportResult {
  file: string;
  /** The archive path the file name stands for (the ledger's key). */
  archivePath: string;
  dataset: ArchiveDataset;
  /** The Bronze datasets written (two for metrics). */
  bronze: string[];
  symbol: string;
  days: { first: string; last: string };
  sha256: string;
  checksumVerified: boolean;
  status: 'imported';
  rows: number;
  rejected: number;
  bronzeFiles: number;
}

const ARCHIVE_NAME = /^([A-Za-z0-9]+)-([A-Za-z]+)-(\d{4}-\d{2}(?:-\d{2})?)\.(zip|csv)$/;

/** The archive file a local file's name stands for; the name is what gives the file's days (and so its keys). */
export function archiveFileOfName(name: string, dataset: ArchiveDataset, market: ArchiveMarket): ArchiveFile {
  const example = `BTCUSDT-${dataset}-2024-01.zip or BTCUSDT-${dataset}-2024-01-15.csv`;
  const match = ARCHIVE_NAME.exec(name);
  if (!match) throw new ArchiveError(`${name}: name the file as the archive does, e.g. ${example}`);
  const [, rawSymbol, named, date] = match;
  if (named !== dataset) throw new ArchiveError(`${name}: the name says ${named}, not --dataset ${dataset}`);
  const symbol = rawSymbol.toUpperCase();
  const period = date.length === 7 ? 'monthly' : 'daily';
  const parsed = parseArchivePath(`data/${market}/${period}/${dataset}/${symbol}/${symbol}-${dataset}-${date}.zip`);
  if (!parsed) throw new ArchiveError(`${name}: the ${market} archive publishes no ${period} ${dataset} file ${date}`);
  return parsed.file;
}

export async function importArchiveDataset(options: ArchiveDatasetImportOptions): Promise<ArchiveDatasetImportResult> {
  const market = (ARCHIVE_EXCHANGE_MARKETS as Partial<Record<ExchangeId, ArchiveMarket>>)[options.exchange];
  const exchanges = Object.keys(ARCHIVE_EXCHANGE_MARKETS).join(', ');
  if (!market) throw new ArchiveError(`${options.dataset} archives come from data.binance.vision: --exchange ${exchanges}`);
  const mappers = archiveRowMappers(market, options.dataset);
  if (mappers.length === 0) throw new ArchiveError(`the ${market} archive (${options.exchange}) publishes no ${options.dataset}`);
  const name = path.basename(options.file);
  const file = archiveFileOfName(name, options.dataset, market);
  if (options.symbol !== undefined && options.symbol.toUpperCase() !== file.symbol) {
    throw new ArchiveError(`--symbol ${options.symbol} differs from the file name's ${file.symbol}`);
  }
  await checkArchiveFile(options.file);
  const { sha256, verified } = await verifyChecksum(options.file);
  const outcome = await importLocalArchiveFile(
    { store: options.store, exchange: options.exchange, file, mappers, now: options.now ?? Date.now },
    options.file,
    sha256,
  );
  // A refused file is recorded as failed in the ledger (so `history` fetches it again), and the command fails.
  if (outcome.status !== 'imported') throw new ArchiveError(`${name}: ${outcome.reason ?? outcome.status}`);
  return {
    file: options.file,
    archivePath: file.urlPath,
    dataset: options.dataset,
    bronze: mappers.map((mapper) => mapper.bronze.name),
    symbol: file.symbol,
    days: { first: file.firstDay, last: file.lastDay },
    sha256,
    checksumVerified: verified,
    status: 'imported',
    rows: outcome.rows,
    rejected: outcome.rejected,
    bronzeFiles: outcome.bronzeFiles,
  };
}
