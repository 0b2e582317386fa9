import type { DatasetSpec, Row } from '../schema/types';
import { DEFAULT_ROW_GROUP } from '../parquet/write';
import { isNumericType, Table, type ColumnData } from '../table/table';
import type { ArchiveLineParser } from './archive-row-mapper';
import type { DayRows } from './day-rows';

/**
 * The per-file importer's fast path (lib/history/archive-file-import.ts): plainly well-formed lines of one day are
 * read in place in the chunk's text (ArchiveLineParser.read) straight into a batch's typed columns, which go to the
 * day's DayRows a row group at a time, with no string, Row object or per-row await for each line. Every line the
 * parser does not plainly accept, and the first line of another day, is left to the caller's row-by-row path,
 * which gives reasons and moves between days; the batch is handed over first, so rows stay in file order.
 */
export class ColumnLane {
  private readonly laneColumns: { name: string; numeric: boolean }[];
  private readonly constants: { name: string; value: Row[string]; numeric: boolean }[];
  private columns: Record<string, ColumnData> = {};
  private target: DayRows | undefined;
  private capacity = 0;
  private count = 0;
  private dayFrom = Number.NaN;
  private dayTo = Number.NaN;
  private minTime = Number.POSITIVE_INFINITY;
  private maxTime = Number.NEGATIVE_INFINITY;
  private readonly timeIndex: number;

  constructor(
    private readonly spec: DatasetSpec,
    private readonly parser: ArchiveLineParser,
    /** The accepted row the parser was made from: the columns the parser does not read keep its values. */
    accepted: Row,
    /** Told the rows and time range of each batch as it goes to DayRows (the importer's counters). */
    private readonly onBatch: (rows: number, minTime: number, maxTime: number) => void,
  ) {
    const typeOf = (name: string) => spec.columns.find((column) => column.name === name)!.type;
    this.laneColumns = parser.columns.map((name) => ({ name, numeric: isNumericType(typeOf(name)) }));
    this.constants = spec.columns
      .filter((column) => !parser.columns.includes(column.name))
      .map((column) => ({ name: column.name, value: accepted[column.name], numeric: isNumericType(column.type) }));
    this.timeIndex = parser.columns.indexOf(spec.timeColumn);
    if (this.timeIndex < 0) throw new Error(`ColumnLane: the parser of ${spec.name} does not read ${spec.timeColumn}`);
  }

  /** Starts reading into `rows`, the DayRows of the UTC day [dayFrom, dayTo). */
  open(rows: DayRows, dayFrom: number, dayTo: number): void {
    this.target = rows;
    this.dayFrom = dayFrom;
    this.dayTo = dayTo;
    this.startBatch();
  }

  /** Lines taken since the lane was made (the caller numbers the lines it reads itself). */
  linesTaken = 0;

  get isOpen(): boolean {
    return this.target !== undefined;
  }

  /**
   * Reads lines of text[from, …) while they are plainly well formed and of the open day. Returns the index of the
   * first line it did not take (text.length when it took all), or a promise of it when a row group was written.
   */
  read(text: string, from: number): number | Promise<number> {
    const { parser, laneColumns } = this;
    const values = parser.values;
    let start = from;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) return start;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (!parser.read(text, start, end)) return start;
      const time = values[this.timeIndex];
      if (!(time >= this.dayFrom && time < this.dayTo)) return start;
      const at = this.count++;
      for (let k = 0; k < laneColumns.length; k++) {
        const column = this.columns[laneColumns[k].name];
        if (laneColumns[k].numeric) (column as Float64Array)[at] = values[k];
        else (column as (boolean | null)[])[at] = values[k] === 1;
      }
      if (time < this.minTime) this.minTime = time;
      if (time > this.maxTime) this.maxTime = time;
      this.linesTaken++;
      start = nl + 1;
      if (this.count === this.capacity) {
        const pending = this.handOver();
        this.startBatch();
        if (pending) return pending.then(() => this.read(text, start));
      }
    }
    return start;
  }

  /** Hands the batch to the day's DayRows and closes the lane; a promise when that wrote a row group. */
  close(): Promise<void> | undefined {
    const pending = this.count > 0 ? this.handOver() : undefined;
    this.target = undefined;
    return pending;
  }

  private handOver(): Promise<void> | undefined {
    const count = this.count;
    const target = this.target!;
    // DayRows keeps a table that is a whole row group (and copies any other), so only then are fresh arrays needed.
    const kept = count === DEFAULT_ROW_GROUP && target.room() === DEFAULT_ROW_GROUP;
    const columns: Record<string, ColumnData> = {};
    for (const [name, column] of Object.entries(this.columns)) {
      columns[name] = column instanceof Float64Array && column.length !== count ? column.subarray(0, count) : column;
    }
    this.onBatch(count, this.minTime, this.maxTime);
    this.count = 0;
    this.minTime = Number.POSITIVE_INFINITY;
    this.maxTime = Number.NEGATIVE_INFINITY;
    if (kept) this.columns = {};
    return target.pushTable(new Table(this.spec, count, columns));
  }

  private startBatch(): void {
    this.capacity = this.target!.room();
    this.count = 0;
    const some = this.columns[this.spec.timeColumn] as Float64Array | undefined;
    if (some && some.length >= this.capacity) return;
    const capacity = DEFAULT_ROW_GROUP;
    const columns: Record<string, ColumnData> = {};
    for (const { name, numeric } of this.laneColumns) {
      columns[name] = numeric ? new Float64Array(capacity) : new Array<boolean | null>(capacity).fill(null);
    }
    for (const { name, value, numeric } of this.constants) {
      columns[name] = numeric
        ? new Float64Array(capacity).fill(value === null || value === undefined ? Number.NaN : (value as number))
        : (new Array<unknown>(capacity).fill(value ?? null) as ColumnData);
    }
    this.columns = columns;
  }
}
