import path from 'node:path';
import { baseQuote } from '../exchanges/symbols';
import { KLINE_TIMEFRAMES, timeframeMs, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import type { ObjectStore } from '../storage/object-store';
import { ArchiveError, checkArchiveFile, verifyChecksum } from './archive-source';
import { parseArchiveName } from './binance-klines-archive';
import { checkArchiveLines } from './import-check-pass';
import type { LineContext } from './import-lines';
import { writeArchiveLines } from './import-write-pass';
import { parseDownloadName } from './kline-file-layouts';
import type { KlineFileProfile } from './kline-file-profile';

/**
 * `lakehouse import`: an exchange archive file into Bronze (docs/import.md). Two streamed passes over the file:
 * the first reads and checks every line and writes nothing, so a file that cannot be read to its end, whose
 * interval contradicts its data, or whose rows mostly fail is refused whole; the second writes one Bronze file per
 * hour partition, sorted by time, and the rejected lines to quarantine with their reasons.
 *
 * Bronze stays append-only: file names derive from the archive's sha256 and the partition, and a name that
 * already exists is left alone, so importing the same file again writes nothing new (and a run cut short by a
 * store failure is completed by running it again).
 *
 * Here: the arguments, the file's checksum and the two passes in turn — lib/history/import-check-pass.ts and
 * lib/history/import-write-pass.ts, which read each line with lib/history/import-lines.ts.
 */

export interface ImportOptions {
  store: ObjectStore;
  file: string;
  dataset: string;
  exchange: ExchangeId;
  symbol?: string;
  interval?: string;
  now?: () => number;
  /** Bound on rows held for incomplete hour partitions (default MAX_BUFFERED_ROWS, lib/history/import-write-pass.ts). */
  maxBufferedRows?: number;
  onProgress?: (rows: number) => void;
}

export type { ImportResult } from './import-result';
import { checkedCounts, type ImportResult } from './import-result';

/** The datasets `import` reads; the others Binance publishes are refused with this list. */
export const IMPORT_DATASETS = ['klines'] as const;

export async function importArchive(options: ImportOptions): Promise<ImportResult> {
  if (!(IMPORT_DATASETS as readonly string[]).includes(options.dataset)) {
    throw new ArchiveError(
      `import of '${options.dataset}' archives is not supported yet (supported: ${IMPORT_DATASETS.join(', ')})`,
    );
  }
  const name = path.basename(options.file);
  const named = { ...parseDownloadName(name), ...parseArchiveName(name) };
  const symbol = (options.symbol ?? named.symbol)?.toUpperCase();
  const interval = options.interval ?? named.interval;
  if (!symbol) throw new ArchiveError('--symbol is required (it cannot be read from the file name)');
  if (!interval || !(KLINE_TIMEFRAMES as readonly string[]).includes(interval)) {
    throw new ArchiveError(`--interval must be one of ${KLINE_TIMEFRAMES.join(', ')} (got ${interval ?? 'none'})`);
  }
  await checkArchiveFile(options.file);
  const { sha256, verified } = await verifyChecksum(options.file);
  const { base, quote } = baseQuote(symbol);
  const ingest = (options.now ?? Date.now)();

  // Pass 1: read and check everything, write nothing.
  const from = options.interval ? '--interval' : 'the file name';
  const contextOf = (profile: KlineFileProfile): LineContext => ({
    profile,
    exchange: options.exchange,
    interval,
    stepMs: timeframeMs(interval),
    base,
    quote,
    ingest,
    spec: dataset('bronze', 'klines'),
  });
  const checked = await checkArchiveLines(options.file, name, contextOf, from);

  // Pass 2: the same checks, now writing each hour partition once it is complete.
  const { profile } = checked.context;
  const result: ImportResult = {
    file: options.file,
    sha256,
    checksumVerified: verified,
    symbol,
    interval,
    unit: profile.unit,
    layout: profile.layout,
    ...checkedCounts(checked),
  };
  await writeArchiveLines(
    {
      store: options.store,
      file: options.file,
      name,
      exchange: options.exchange,
      symbol,
      sha256,
      checked,
      maxBufferedRows: options.maxBufferedRows,
      onProgress: options.onProgress,
    },
    result,
  );
  return result;
}
