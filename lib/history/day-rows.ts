import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileWriter } from 'hyparquet-writer';
import { readParquet } from '../parquet/read';
import { DEFAULT_ROW_GROUP, ParquetGroupWriter, putTable } from '../parquet/write';
import type { DatasetSpec, Row } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import { Table, TableBuilder } from '../table/table';

/**
 * One day of one archive dataset on its way to its Bronze object, sorted by time. Archive files are in time order,
 * so full row groups go to a temporary Parquet file as they fill and memory holds one group (a 10 M-row trades day
 * would otherwise be held whole). The first row out of order stops that: the rest of the day is held, and the object
 * is then written from the whole day sorted, the groups already written read back. Either way the object holds the
 * same bytes as putTable of the sorted day, whose groups are DEFAULT_ROW_GROUP rows too.
 */
export class DayRows {
  private builder: TableBuilder;
  private readonly timeColumn: string;
  private lastTime = Number.NEGATIVE_INFINITY;
  private ordered = true;
  /** Rows held since the day left time order, in file order. */
  private readonly held: Table[] = [];
  private tmp: string | undefined;
  private groups: ParquetGroupWriter | undefined;
  private groupsFinished = false;

  constructor(readonly spec: DatasetSpec) {
    this.builder = new TableBuilder(spec, 4096);
    this.timeColumn = spec.timeColumn;
  }

  /** Adds a row; a promise only when a full row group is being written (most rows cost no await). */
  push(row: Row): Promise<void> | undefined {
    const time = row[this.timeColumn] as number;
    if (time < this.lastTime) this.ordered = false;
    else this.lastTime = time;
    this.builder.push(row);
    return this.builder.length < DEFAULT_ROW_GROUP ? undefined : this.groupFilled(this.builder.build());
  }

  /** Rows that pushTable can take before the current row group is full. */
  room(): number {
    return DEFAULT_ROW_GROUP - this.builder.length;
  }

  /**
   * Adds the rows of `table` (at most room() of them), in order, as push() of each would: the importer's fast path
   * reads lines straight into a table's columns. A table that is a whole row group (room() was DEFAULT_ROW_GROUP) is
   * kept and written without a copy; any other is copied, so the caller may reuse its arrays.
   */
  pushTable(table: Table): Promise<void> | undefined {
    if (table.length > this.room()) throw new Error(`pushTable: ${table.length} rows, room for ${this.room()}`);
    const times = table.num(this.timeColumn);
    let last = this.lastTime;
    for (let index = 0; index < times.length; index++) {
      if (times[index] < last) this.ordered = false;
      else last = times[index];
    }
    this.lastTime = last;
    if (this.builder.length === 0 && table.length === DEFAULT_ROW_GROUP) return this.groupFilled(table);
    this.builder.append(table);
    return this.builder.length < DEFAULT_ROW_GROUP ? undefined : this.groupFilled(this.builder.build());
  }

  private groupFilled(group: Table): Promise<void> | undefined {
    if (!this.ordered) {
      this.held.push(group);
      return undefined;
    }
    if (!this.groups) {
      this.tmp = path.join(os.tmpdir(), `lakehouse-day-${randomUUID()}.parquet`);
      this.groups = new ParquetGroupWriter(this.spec, fileWriter(this.tmp));
    }
    return this.groups.writeGroup(group, 0, group.length);
  }

  /** Writes the day as the object `key` and returns its size in bytes; the rows are gone afterwards. */
  async put(store: ObjectStore, key: string): Promise<number> {
    try {
      const rest = this.builder.build();
      if (this.ordered && this.groups && this.tmp) {
        if (rest.length) await this.groups.writeGroup(rest, 0, rest.length);
        await this.finishGroups();
        await store.putFile(key, this.tmp);
        return (await fs.stat(this.tmp)).size;
      }
      const parts: Table[] = [];
      if (this.groups && this.tmp) {
        await this.finishGroups();
        parts.push(await readParquet(this.spec, await fs.readFile(this.tmp), this.tmp));
      }
      parts.push(...this.held, rest);
      this.held.length = 0;
      const day = parts.length === 1 ? parts[0] : Table.concat(this.spec, parts);
      return await putTable(store, key, sortedBy(day, this.timeColumn));
    } finally {
      await this.discard();
    }
  }

  /** Drops the day's temporary file (a failed import). */
  async discard(): Promise<void> {
    if (!this.tmp) return;
    if (this.groups) await this.finishGroups().catch(() => undefined);
    await fs.rm(this.tmp, { force: true });
    this.tmp = undefined;
    this.groups = undefined;
  }

  private async finishGroups(): Promise<void> {
    if (this.groupsFinished || !this.groups) return;
    this.groupsFinished = true;
    await this.groups.finish();
  }
}

function sortedBy(table: Table, column: string): Table {
  const times = table.num(column);
  let ordered = true;
  for (let index = 1; index < times.length && ordered; index++) ordered = times[index - 1] <= times[index];
  if (ordered) return table;
  const order = Array.from({ length: table.length }, (_, index) => index);
  order.sort((left, right) => times[left] - times[right] || left - right);
  return table.take(order);
}
