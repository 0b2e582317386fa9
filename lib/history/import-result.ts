import type { TimeUnit } from './binance-klines-archive';
import type { KlineLayout } from './kline-file-layouts';

/** What one `lakehouse import` of a file did (lib/history/import-archive.ts). */
export interface ImportResult {
  file: string;
  sha256: string;
  checksumVerified: boolean;
  symbol: string;
  interval: string;
  unit: TimeUnit | null;
  /** The file's layout: a Binance archive, a 6-column OHLCV download, or Kraken's OHLCVT. */
  layout: KlineLayout | null;
  /** Data lines read (the header and empty lines not counted). */
  records: number;
  /** Rows imported: in Bronze now, whether this run wrote their file or an earlier import of the same file did. */
  rows: number;
  /** Lines rejected into quarantine; `rejectedByReason` counts them per rule. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rows whose open time an earlier row of the file already had; both are kept (Silver keeps one). */
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
