import type { Logger } from '../util/log';
import type { BronzeBuffers, BufferedPartition } from '../bronze/bronze-buffers';
import type { WrittenFile } from '../bronze/bronze-writer';
import type { CollectorStats } from './stats';

/**
 * Empties the Bronze buffers into files. Flushes run one after another, so files never interleave, and a
 * partition whose write failed stays queued for the next flush: a failing store never drops rows.
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
  /** Rows of the flush under way not yet written (a hung store holds them here). */
  private inFlightRows = 0;

  constructor(private readonly options: BronzeFlusherOptions) {}

  /** Writes every buffer, after any flush under way; resolves when this flush is done. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  /** Rows whose Bronze write has failed and not yet succeeded. */
  get unwrittenRows(): number {
    return this.unwritten.reduce((n, part) => n + part.table.length, 0);
  }

  /** Every row received and not (yet) written: buffered, in a write under way, or in a failed write. */
  get pendingRows(): number {
    return this.options.buffers.bufferedRows + this.inFlightRows + this.unwrittenRows;
  }

  private async flushNow(): Promise<void> {
    const { buffers, write, stats, log, onFlush } = this.options;
    const parts = [...this.unwritten.splice(0), ...buffers.drain()];
    if (parts.length === 0) return;
    // Latency is how long the machine took, which no feed clock can tell (event time stands still meanwhile).
    const started = performance.now();
    const files: WrittenFile[] = [];
    this.inFlightRows = parts.reduce((n, part) => n + part.table.length, 0);
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
