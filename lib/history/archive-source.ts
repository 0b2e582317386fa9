import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';

/**
 * Streams the records of an archive file as published (data.binance.vision: a CSV inside a ZIP, or the bare
 * CSV), in constant memory, and checks a `.CHECKSUM` file beside a ZIP when there is one.
 */

export class ArchiveError extends Error {}

function openZipCsv(file: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new ArchiveError(`${file}: not a readable ZIP (${err?.message ?? 'unknown error'})`));
      zip.on('error', (e: Error) => reject(new ArchiveError(`${file}: ${e.message}`)));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/') || !/\.csv$/i.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => (e || !stream ? reject(new ArchiveError(`${file}: ${e?.message}`)) : resolve(stream)));
      });
      zip.on('end', () => reject(new ArchiveError(`${file}: the ZIP holds no .csv file`)));
      zip.readEntry();
    });
  });
}

/**
 * CSV records (arrays of strings) of `file`, a .csv or a .zip holding one, numbered from 1. (csv-parse's own
 * line info halves its speed, and archives have one record per line.)
 */
export async function* csvRecords(file: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const stream = /\.zip$/i.test(file) ? await openZipCsv(file) : createReadStream(file);
  const parser = stream.pipe(parse({ relax_column_count: true, skip_empty_lines: true }));
  let line = 0;
  for await (const fields of parser as AsyncIterable<string[]>) yield { line: ++line, fields };
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Verifies `file` against `file.CHECKSUM` (`<sha256>  <name>`) when that file exists.
 * Returns the file's sha256 and whether a checksum was verified; throws on a mismatch.
 */
export async function verifyChecksum(file: string): Promise<{ sha256: string; verified: boolean }> {
  const sha256 = await sha256File(file);
  let text: string;
  try {
    text = await fs.readFile(`${file}.CHECKSUM`, 'utf8');
  } catch {
    return { sha256, verified: false };
  }
  const expected = text.trim().split(/\s+/)[0]?.toLowerCase();
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) throw new ArchiveError(`${path.basename(file)}.CHECKSUM holds no sha256`);
  if (expected !== sha256) throw new ArchiveError(`${path.basename(file)}: checksum mismatch (expected ${expected}, got ${sha256})`);
  return { sha256, verified: true };
}
