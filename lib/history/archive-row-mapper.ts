import type { ArchiveFile } from '../exchanges/binance/archive-layout';
import type { ExchangeId } from '../schema/columns';
import type { DatasetSpec, Row } from '../schema/types';

/**
 * How one archive dataset's CSV lines become Bronze rows (docs/history.md, "The Binance archive layout"). One mapper
 * per (market, dataset); `lakehouse history` and `lakehouse import` look them up by the file they read, so adding a
 * dataset is one mapper plus one line in the mapper table.
 */

/** What a mapper knows about the line it maps besides its fields. */
export interface ArchiveLineContext {
  readonly file: ArchiveFile;
  readonly exchange: ExchangeId;
  readonly symbol: string;
  /** Epoch ms at which the import read the file (the Bronze `ingest_time`). */
  readonly ingestMs: number;
}

/** A line refused, with the reason written to quarantine, and the row when it was read but failed a check. */
export interface ArchiveReject {
  readonly reject: string;
  /** The row as read, when the line parsed but failed a range or time check: quarantine keeps its columns. */
  readonly row?: Row;
}

export interface ArchiveRowMapper {
  /** The Bronze dataset the rows land in. */
  readonly bronze: DatasetSpec;
  /** The row for one CSV line's fields (header lines are skipped before this is called), or why it is refused. */
  map(fields: readonly string[], context: ArchiveLineContext): Row | ArchiveReject;
  /**
   * A shortcut for the bulk of a big file (trades days hold millions of lines): made from a row map() accepted, it
   * reads a plainly well-formed line's text straight into a reused row. Optional; see ArchiveLineParser.
   */
  lineParser?(context: ArchiveLineContext, accepted: Row): ArchiveLineParser;
}

/**
 * Reads one line's text and returns true only when map() would accept the line with exactly these values; anything
 * unusual (spaces, quotes, signs, a time outside the checks' bounds) returns false and the line goes through
 * splitFields and map(), which decide and give the reason.
 */
export interface ArchiveLineParser {
  /** The Bronze columns a line varies in (the others are the accepted row's), in the order of `values`. */
  readonly columns: readonly string[];
  /** After read() returned true: the line's value of each of `columns`, a boolean as 1 or 0. */
  readonly values: Float64Array;
  /** Reads text[from, to), one line without its line break, into `values`. */
  read(text: string, from: number, to: number): boolean;
  /** read() of a whole line into `row` (the accepted row's copy, its constant columns kept). */
  parse(text: string, row: Row): boolean;
}

/** No Bronze dataset has a column named `reject`, so a value holding only `reject` (and `row`) is a reject. */
export const isArchiveReject = (value: Row | ArchiveReject): value is ArchiveReject =>
  typeof (value as ArchiveReject).reject === 'string' && Object.keys(value).every((key) => key === 'reject' || key === 'row');
