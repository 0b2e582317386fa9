import type { CellValue, ColumnType, DatasetSpec, Row } from '../schema/types';

/**
 * Columnar in-memory table shaped by a registry dataset. Numeric columns (timestamps as epoch ms, ints, doubles)
 * are Float64Arrays with NaN for null, which keeps a day of 100 ms book snapshots compact and fast to scan;
 * strings and booleans are plain arrays with null.
 */

export type NumColumn = Float64Array;
export type StrColumn = (string | null)[];
export type BoolColumn = (boolean | null)[];
export type ColumnData = NumColumn | StrColumn | BoolColumn;

export const isNumericType = (t: ColumnType): boolean => t !== 'string' && t !== 'boolean';

export class Table {
  constructor(
    readonly spec: DatasetSpec,
    readonly length: number,
    readonly columns: Readonly<Record<string, ColumnData>>,
  ) {}

  static empty(spec: DatasetSpec): Table {
    return new TableBuilder(spec, 0).build();
  }

  static fromRows(spec: DatasetSpec, rows: readonly Row[]): Table {
    const builder = new TableBuilder(spec, rows.length);
    for (const row of rows) builder.push(row);
    return builder.build();
  }

  /** Rows of several tables of the same dataset, in order. */
  static concat(spec: DatasetSpec, tables: readonly Table[]): Table {
    const length = tables.reduce((n, t) => n + t.length, 0);
    const columns: Record<string, ColumnData> = {};
    for (const column of spec.columns) {
      if (isNumericType(column.type)) {
        const out = new Float64Array(length);
        let at = 0;
        for (const table of tables) {
          out.set(table.num(column.name), at);
          at += table.length;
        }
        columns[column.name] = out;
      } else {
        const out: (string | boolean | null)[] = new Array<string | boolean | null>(length);
        let o = 0;
        for (const part of tables) {
          const src = part.columns[column.name] as (string | boolean | null)[];
          for (let i = 0; i < part.length; i++) out[o++] = src[i];
        }
        columns[column.name] = out as ColumnData;
      }
    }
    return new Table(spec, length, columns);
  }

  num(name: string): NumColumn {
    const data = this.columns[name];
    if (!(data instanceof Float64Array)) throw new Error(`${this.spec.layer}/${this.spec.name}: ${name} is not a numeric column`);
    return data;
  }

  str(name: string): StrColumn {
    const data = this.columns[name];
    if (!Array.isArray(data)) throw new Error(`${this.spec.layer}/${this.spec.name}: ${name} is not a string column`);
    return data as StrColumn;
  }

  bool(name: string): BoolColumn {
    const data = this.columns[name];
    if (!Array.isArray(data)) throw new Error(`${this.spec.layer}/${this.spec.name}: ${name} is not a boolean column`);
    return data as BoolColumn;
  }

  row(i: number): Row {
    const r: Row = {};
    for (const column of this.spec.columns) r[column.name] = cell(this.columns[column.name], i);
    return r;
  }

  rows(): Row[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }

  /** A new table of the rows at `indices`, in that order. */
  take(indices: ArrayLike<number>): Table {
    const count = indices.length;
    const columns: Record<string, ColumnData> = {};
    for (const column of this.spec.columns) {
      const src = this.columns[column.name];
      if (src instanceof Float64Array) {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = src[indices[i]];
        columns[column.name] = out;
      } else {
        const out = new Array(count);
        for (let i = 0; i < count; i++) out[i] = src[indices[i]];
        columns[column.name] = out;
      }
    }
    return new Table(this.spec, count, columns);
  }

  /** Same data under another dataset spec with identical exchange columns (e.g. Bronze -> Silver), adding defaults. */
  reshape(spec: DatasetSpec, defaults: Record<string, CellValue> = {}): Table {
    const columns: Record<string, ColumnData> = {};
    for (const column of spec.columns) {
      const existing = this.columns[column.name];
      if (existing) {
        columns[column.name] = existing;
        continue;
      }
      const value = defaults[column.name] ?? null;
      columns[column.name] = isNumericType(column.type)
        ? new Float64Array(this.length).fill(value === null ? NaN : Number(value))
        : new Array(this.length).fill(value);
    }
    return new Table(spec, this.length, columns);
  }
}

function cell(data: ColumnData, i: number): CellValue {
  const value = data[i];
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  return value ?? null;
}

/** Growable columnar buffer that rows are appended to (the collector's buffers, readers, jobs). */
export class TableBuilder {
  private cap: number;
  private n = 0;
  private cols: Record<string, ColumnData> = {};

  constructor(
    readonly spec: DatasetSpec,
    initialCapacity = 1024,
  ) {
    this.cap = Math.max(16, initialCapacity);
    for (const column of spec.columns) this.cols[column.name] = isNumericType(column.type) ? new Float64Array(this.cap) : [];
  }

  get length(): number {
    return this.n;
  }

  push(row: Row): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    for (const column of this.spec.columns) {
      const value = row[column.name];
      const col = this.cols[column.name];
      if (col instanceof Float64Array) col[i] = value === null || value === undefined ? NaN : (value as number);
      else (col as unknown[])[i] = value ?? null;
    }
  }

  /** Appends every row of `table` (of this builder's dataset), column by column. */
  append(table: Table): void {
    while (this.n + table.length > this.cap) this.grow();
    for (const column of this.spec.columns) {
      const from = table.columns[column.name];
      const col = this.cols[column.name];
      if (col instanceof Float64Array) col.set(from as Float64Array, this.n);
      else for (let i = 0; i < table.length; i++) (col as unknown[])[this.n + i] = (from as unknown[])[i] ?? null;
    }
    this.n += table.length;
  }

  private grow(): void {
    this.cap *= 2;
    for (const [name, col] of Object.entries(this.cols)) {
      if (col instanceof Float64Array) {
        const next = new Float64Array(this.cap);
        next.set(col);
        this.cols[name] = next;
      }
    }
  }

  /** The rows so far as a table; the builder is reset. */
  build(): Table {
    const columns: Record<string, ColumnData> = {};
    for (const column of this.spec.columns) {
      const col = this.cols[column.name];
      columns[column.name] = col instanceof Float64Array ? col.slice(0, this.n) : col;
    }
    const table = new Table(this.spec, this.n, columns);
    this.reset();
    return table;
  }

  reset(): void {
    this.n = 0;
    this.cap = 16;
    for (const column of this.spec.columns) this.cols[column.name] = isNumericType(column.type) ? new Float64Array(this.cap) : [];
  }
}
