import type { BadFile } from '../lake/bad-files';
import type { Layer } from '../schema/types';
import type { Verdict } from '../silver/quality-report';

/** What `lakehouse health` and the health Lambda report (lib/app/health.ts computes it). */

export interface SymbolFreshness {
  symbol: string;
  newestKey: string;
  /** ISO time the age counts from. */
  newestAt: string;
  /**
   * `written`: a collector file's write time (object lastModified). `data`: the first event time of a REST
   * backfill or archive file (from its key), because writing old data says nothing about the live feed.
   */
  basis: 'written' | 'data';
  ageSeconds: number;
  fresh: boolean;
}

export interface ExchangeFreshness {
  exchange: string;
  /** Age of the exchange's newest Bronze file (its freshest symbol). */
  ageSeconds: number;
  fresh: boolean;
  symbols: SymbolFreshness[];
}

export interface SilverQuality {
  exchange: string;
  symbol: string;
  dt: string;
  verdict: Verdict;
  completenessPercent: number;
  reasons: string[];
  builtAt: string;
}

export interface GoldValidity {
  exchange: string;
  symbol: string;
  dt: string;
  rows: number;
  dataOkPercent: number;
  nulls: number;
  invalid: number;
  /** Features holding at least one infinite or out-of-range value. */
  invalidFeatures: string[];
}

export interface LakeHealth {
  checkedAt: string;
  ok: boolean;
  /** One line per finding; empty when `ok`. */
  problems: string[];
  staleAfterSeconds: number;
  bronze: ExchangeFreshness[];
  /** Reports of the newest date that has any (`dt` null when Silver never ran). */
  silver: { dt: string | null; reports: SilverQuality[] };
  gold: GoldValidity[];
  badFiles: BadFilesHealth;
}

/** Files no reader can use (docs/bad-files.md); any makes the lake unhealthy. */
export interface BadFilesHealth {
  /**
   * `lake`: every data file of every layer was checked (a local lake). `recorded`: only the Bronze files the
   * latest Silver build recorded as unreadable and the Gold files health reads itself — checking every file of
   * an S3 lake would read every object's footer every 15 minutes, and the health role may not read Bronze.
   */
  scope: 'lake' | 'recorded';
  count: number;
  layers: Partial<Record<Layer, { count: number; files: BadFile[] }>>;
}
