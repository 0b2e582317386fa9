import type { TimeUnit } from './binance-klines-archive';
import type { KlineLayout } from './kline-file-layouts';

/** The counts of one import of a file, whatever its kind (an archive file, or a file read through a mapping). */
export interface ImportCounts {
  /** Data lines read (the header and empty lines not counted). */
  records: number;
  /** Rows imported: in Bronze now, whether this run wrote their file or an earlier import of the same file did. */
  rows: number;
  /** Lines rejected into quarantine; `rejectedByReason` counts them per rule. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rows whose time (klines) or trade id (trades) an earlier row of the file already had; Silver keeps one. */
  duplicates: number;
  /** Bronze files this run wrote. */
  files: number;
  /** Bronze files an earlier import of the same file wrote, left as they are. */
  existing: number;
  bytes: number;
  firstTime: number | null;
  lastTime: number | null;
  quarantineKey: string | null;
}

/** The counts before the write pass: what the check pass read, nothing written yet. */
export function checkedCounts(checked: { records: number; firstTime: number | null; lastTime: number | null }): ImportCounts {
  return {
    records: checked.records,
    rows: 0,
    rejected: 0,
    rejectedByReason: {},
    duplicates: 0,
    files: 0,
    existing: 0,
    bytes: 0,
    firstTime: checked.firstTime,
    lastTime: checked.lastTime,
    quarantineKey: null,
  };
}

/** What one `lakehouse import` of a file did (lib/history/import-archive.ts). */
export interface ImportResult extends ImportCounts {
  file: string;
  sha256: string;
  checksumVerified: boolean;
  symbol: string;
  interval: string;
  unit: TimeUnit | null;
  /** The file's layout: a Binance archive, a 6-column OHLCV download, or Kraken's OHLCVT. */
  layout: KlineLayout | null;
}
