import path from 'node:path';
import { BronzeBuffers } from '../collector/bronze-buffers';
import { writeBronze } from '../collector/bronze-writer';
import { baseQuote } from '../exchanges/symbols';
import { KLINE_TIMEFRAMES, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import { validateRow } from '../schema/validate';
import { bronzeFileId, dateOf, hourOf, symbolPathValue } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { ArchiveError, csvRecords, verifyChecksum } from './archive-source';
import { detectUnit, isHeader, klineArchiveRow, parseArchiveName, type TimeUnit } from './binance-klines-archive';
import { detectLayout, ohlcvRow, parseDownloadName, type KlineLayout } from './kline-file-layouts';
import { timeframeMs } from '../silver/derive-klines';

/**
 * `lakehouse import`: an exchange archive file into Bronze, streamed in constant memory. Files are named after
 * the archive's sha256, so importing the same file twice rewrites the same objects instead of duplicating rows.
 * Records that cannot be read go to quarantine with their line number and reason.
 */

export interface ImportOptions {
  store: ObjectStore;
  file: string;
  dataset: string;
  exchange: ExchangeId;
  symbol?: string;
  interval?: string;
  now?: () => number;
  onProgress?(rows: number): void;
}

export interface ImportResult {
  file: string;
  sha256: string;
  checksumVerified: boolean;
  symbol: string;
  interval: string;
  unit: TimeUnit | null;
  /** The file's layout: a Binance archive, a 6-column OHLCV download, or Kraken's OHLCVT. */
  layout: KlineLayout | null;
  rows: number;
  rejected: number;
  files: number;
  bytes: number;
  firstTime: number | null;
  lastTime: number | null;
  quarantineKey: string | null;
}

const PROGRESS_EVERY = 100_000;

export async function importArchive(o: ImportOptions): Promise<ImportResult> {
  if (o.dataset !== 'klines') throw new ArchiveError(`import of '${o.dataset}' archives is not supported yet (supported: klines)`);
  const named = { ...parseDownloadName(path.basename(o.file)), ...parseArchiveName(path.basename(o.file)) };
  const symbol = (o.symbol ?? named.symbol)?.toUpperCase();
  const interval = o.interval ?? named.interval;
  if (!symbol) throw new ArchiveError('--symbol is required (it cannot be read from the file name)');
  if (!interval || !(KLINE_TIMEFRAMES as readonly string[]).includes(interval)) {
    throw new ArchiveError(`--interval must be one of ${KLINE_TIMEFRAMES.join(', ')} (got ${interval ?? 'none'})`);
  }
  const stepMs = timeframeMs(interval);
  const { sha256, verified } = await verifyChecksum(o.file);
  const spec = dataset('bronze', 'klines');
  const { base, quote } = baseQuote(symbol);
  const now = o.now ?? Date.now;
  const buffers = new BronzeBuffers(o.exchange);
  const fileId = bronzeFileId('archive', sha256);
  const rejects: { line: number; reason: string; record: string }[] = [];
  const result: ImportResult = {
    file: o.file, sha256, checksumVerified: verified, symbol, interval, unit: null, layout: null, rows: 0, rejected: 0, files: 0, bytes: 0,
    firstTime: null, lastTime: null, quarantineKey: null,
  };
  const ingest = now();
  let hourKey = '';

  const flush = async (keepHour?: string) => {
    const parts = buffers.drain((v) => `${v.dt}/${v.hour}` !== keepHour);
    const written = await writeBronze(o.store, parts, () => fileId);
    result.files += written.length;
    result.bytes += written.reduce((n, f) => n + f.bytes, 0);
  };

  let first = true;
  for await (const { line, fields } of csvRecords(o.file)) {
    if (first && isHeader(fields)) { first = false; continue; }
    first = false;
    result.layout ??= detectLayout(fields);
    let row;
    if (result.layout === 'binance-archive') {
      if (result.unit === null) result.unit = detectUnit(Number(fields[0]));
      row = klineArchiveRow(fields, result.unit, base, quote, ingest);
    } else {
      row = ohlcvRow(fields, result.layout, stepMs, base, quote, ingest);
    }
    const reason = typeof row === 'string' ? row : validateRow(spec, row, { ranges: false });
    if (reason || typeof row === 'string') {
      rejects.push({ line, reason: reason ?? 'unreadable', record: fields.join(',') });
      continue;
    }
    const t = row.open_time as number;
    const hk = `${dateOf(t)}/${hourOf(t)}`;
    if (hk !== hourKey) {
      if (hourKey) await flush(hk);
      hourKey = hk;
    }
    buffers.add({ dataset: 'klines', symbol, timeframe: interval, stream: `archive:${interval}`, row });
    result.rows++;
    result.firstTime = result.firstTime === null ? t : Math.min(result.firstTime, t);
    result.lastTime = result.lastTime === null ? t : Math.max(result.lastTime, t);
    if (result.rows % PROGRESS_EVERY === 0) o.onProgress?.(result.rows);
  }
  await flush();
  o.onProgress?.(result.rows);

  result.rejected = rejects.length;
  if (rejects.length) {
    const dt = result.lastTime !== null ? dateOf(result.lastTime) : 'unknown';
    result.quarantineKey = `quarantine/${spec.name}/exchange=${o.exchange}/symbol=${symbolPathValue(symbol)}/dt=${dt}/import-${path.basename(o.file)}-${sha256.slice(0, 8)}.jsonl`;
    await o.store.put(result.quarantineKey, rejects.map((r) => JSON.stringify({ file: path.basename(o.file), ...r })).join('\n') + '\n');
  }
  return result;
}
