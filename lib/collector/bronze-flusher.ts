import type { Logger } from '../util/log';
import type { BronzeBuffers, BufferedPartition } from '../bronze/bronze-buffers';
import type { WrittenFile } from '../bronze/bronze-writer';
import type { CollectorStats } from './stats';

/**
 * Empties the Bronze buffers into files. Flushes run one after another, so files never interleave, and a
 * partition whose write failed stays queued for the next flush: a failing store never drops rows.
 *
 * A flush takes its rows when it is asked for, not when its turn to write comes. Otherwise what it holds would
 * depend on the machine: on how long the flush before it took to write, and on how many more messages the same
 * socket read carried after the one that made it due (they are parsed before any promise callback runs).
 */

export interface BronzeFlusherOptions {
  buffers: BronzeBuffers;
  /** Writes partitions as files (straight to the store, or through the spooling uploader). */
  write: (parts: readonly BufferedPartition[]) => Promise<WrittenFile[]>;
  stats: CollectorStats;
  log: Logger;
  onFlush?: (files: WrittenFile[]) => void;
}

export class BronzeFlusher {
  private flushing: Promise<void> = Promise.resolve();
  private readonly unwritten: BufferedPartition[] = [];
  /** Rows taken from the buffers and not yet written: waiting for an earlier flush, or in a write (a hung store). */
  private inFlightRows = 0;

  constructor(private readonly options: BronzeFlusherOptions) {}

  /** Takes every buffered row now and writes it after any flush under way; resolves when this flush is done. */
  flush(): Promise<void> {
    const drained = this.options.buffers.drain();
    this.inFlightRows += rowCount(drained);
    this.flushing = this.flushing.then(() => this.writeParts(drained));
    return this.flushing;
  }

  /** Rows whose Bronze write has failed and not yet succeeded. */
  get unwrittenRows(): number {
    return rowCount(this.unwritten);
  }

  /** Every row received and not (yet) written: buffered, taken by a flush and not yet written, or in a failed write. */
  get pendingRows(): number {
    return this.options.buffers.bufferedRows + this.inFlightRows + this.unwrittenRows;
  }

  /** Writes `drained` after retrying the partitions earlier flushes failed to write. */
  private async writeParts(drained: readonly BufferedPartition[]): Promise<void> {
    const { write, stats, log, onFlush } = this.options;
    const retried = this.unwritten.splice(0);
    this.inFlightRows += rowCount(retried);
    const parts = [...retried, ...drained];
    if (parts.length === 0) return;
    // Latency is how long the machine took, which no feed clock can tell (event time stands still meanwhile).
    const started = performance.now();
    const files: WrittenFile[] = [];
    for (const part of parts) {
      try {
        files.push(...(await write([part])));
      } catch (err) {
        this.unwritten.push(part);
        stats.flushFailed();
        log.error({ err: (err as Error).message, dataset: part.spec.name, ...part.values }, 'bronze write failed; will retry');
      }
      this.inFlightRows -= part.table.length;
    }
    stats.flushed(files, Math.round(performance.now() - started));
    if (files.length) onFlush?.(files);
  }
}

function rowCount(parts: readonly BufferedPartition[]): number {
  return parts.reduce((count, part) => count + part.table.length, 0);
}
