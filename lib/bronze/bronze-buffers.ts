import type { BronzeDatasetName, NormalizedRecord } from '../exchanges/types';
import type { ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import type { DatasetSpec, PartitionValues } from '../schema/types';
import { dateOf, hourOf } from '../storage/lake-paths';

import { TableBuilder, type Table } from '../table/table';
import { HOUR_MS } from '../util/time';

/**
 * In-memory Bronze buffers, one per dataset/timeframe/symbol/dt/hour partition. A row's partition follows its
 * event time (the dataset's time column), never the wall clock.
 */

export interface BufferedPartition {
  spec: DatasetSpec;
  values: PartitionValues;
  /** First (smallest) event time in the buffer; names the flush file. */
  startMs: number;
  table: Table;
}

interface Slot {
  spec: DatasetSpec;
  values: PartitionValues;
  builder: TableBuilder;
  startMs: number;
}

export class BronzeBuffers {
  private readonly slots = new Map<string, Slot>();
  private rows = 0;

  constructor(readonly exchange: ExchangeId) {}

  get bufferedRows(): number {
    return this.rows;
  }

  // Per-record costs matter at 50k messages/s: the spec lookup and the date text are cached.
  private readonly specs = new Map<string, DatasetSpec>();
  private hourStart = NaN;
  private dt = '';
  private hour = 0;

  /** Adds a normalized record; returns false (and buffers nothing) when its event time is unusable. */
  add(rec: NormalizedRecord): boolean {
    let spec = this.specs.get(rec.dataset);
    if (!spec) this.specs.set(rec.dataset, (spec = dataset('bronze', rec.dataset)));
    const value = rec.row[spec.timeColumn];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    const hourStart = Math.floor(value / HOUR_MS) * HOUR_MS;
    if (hourStart !== this.hourStart) {
      this.hourStart = hourStart;
      this.dt = dateOf(value);
      this.hour = hourOf(value);
    }
    const { dt, hour } = this;
    const key = `${rec.dataset}|${rec.timeframe ?? ''}|${rec.symbol}|${dt}|${hour}`;
    let slot = this.slots.get(key);
    if (!slot) {
      const values: PartitionValues = {
        exchange: this.exchange,
        symbol: rec.symbol,
        dt,
        hour,
        ...(rec.timeframe ? { timeframe: rec.timeframe } : {}),
      };
      slot = { spec, values, builder: new TableBuilder(spec, 256), startMs: value };
      this.slots.set(key, slot);
    }
    slot.builder.push(rec.row);
    if (value < slot.startMs) slot.startMs = value;
    this.rows++;
    return true;
  }

  /** Removes and returns the buffered partitions (all, or those matching `which`). */
  drain(which?: (values: PartitionValues, dataset: BronzeDatasetName) => boolean): BufferedPartition[] {
    const out: BufferedPartition[] = [];
    for (const [key, slot] of this.slots) {
      if (which && !which(slot.values, slot.spec.name as BronzeDatasetName)) continue;
      this.slots.delete(key);
      const table = slot.builder.build();
      this.rows -= table.length;
      if (table.length > 0) out.push({ spec: slot.spec, values: slot.values, startMs: slot.startMs, table });
    }
    return out;
  }
}
