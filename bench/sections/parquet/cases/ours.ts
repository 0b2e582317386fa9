import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readParquet } from '../../../../lib/parquet/read';
import { writeParquetFile } from '../../../../lib/parquet/write';
import type { TaskFn } from '../../../lib/types';
import { tableChecksum } from '../checksum';
import { caseArgs, makeInput, specOf } from '../inputs';

/** (a) The project's own path: lib/parquet (hyparquet-writer with the registry's explicit schema, GZIP level 1 via node:zlib). */

export const write: TaskFn = async (a, probe) => {
  const { dataset, rows, file } = caseArgs(a);
  const table = makeInput(dataset, rows);
  probe.ready();
  await probe.time(() => writeParquetFile(table, file));
  return { bytes: statSync(file).size, checksum: tableChecksum(dataset, table) };
};

export const read: TaskFn = async (a, probe) => {
  const { dataset, file } = caseArgs(a);
  probe.ready();
  // Whole file into memory first, as a Lambda gets it from S3 (ObjectStore.get).
  const table = await probe.time(async () => readParquet(specOf(dataset), await readFile(file), file));
  return { rows: table.length, checksum: tableChecksum(dataset, table) };
};
