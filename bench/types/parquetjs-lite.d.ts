/** The little of parquetjs-lite 0.8.7 the bench uses; the package ships no types. */
declare module 'parquetjs-lite' {
  export interface FieldDefinition {
    type: string;
    optional?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY' | 'LZO' | 'BROTLI';
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldDefinition>);
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: { rowGroupSize?: number }): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
  export interface ParquetCursor {
    next(): Promise<Record<string, unknown> | null>;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    getCursor(columns?: string[]): ParquetCursor;
    getRowCount(): number | { toNumber(): number };
    close(): Promise<void>;
  }
}
