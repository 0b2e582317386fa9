import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { fileSystemProblem, UserError } from '../util/errors';

/**
 * Streams the lines of an archive file as published (data.binance.vision: a CSV inside a ZIP, or the bare CSV),
 * in constant memory, and checks a `.CHECKSUM` file beside a ZIP when there is one. A file that cannot be read
 * to its end (a corrupt ZIP entry, a failing disk) raises an ArchiveError naming the file and the line and byte
 * where reading stopped; a line that merely holds garbage is the caller's to reject.
 */

export class ArchiveError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/**
 * Checks that `file` is a regular file this process can read, before anything is read from it: a folder given as
 * the file, or a file that is not there, is one line naming it rather than an error from deep inside a stream.
 */
export async function checkArchiveFile(file: string): Promise<void> {
  const stat = await fs.stat(file).catch((e: unknown) => e as NodeJS.ErrnoException);
  if (stat instanceof Error) {
    if (stat.code === 'ENOENT') throw new ArchiveError(`no such file: ${file}`);
    throw new ArchiveError(`cannot read ${file}: ${fileSystemProblem(stat) ?? stat.message}`);
  }
  if (stat.isDirectory()) throw new ArchiveError(`${file} is a folder, not a file`);
  if (!stat.isFile()) throw new ArchiveError(`${file} is not a regular file`);
  const handle = await fs.open(file, 'r').catch((e: unknown) => e as NodeJS.ErrnoException);
  if (handle instanceof Error) throw new ArchiveError(`cannot read ${file}: ${fileSystemProblem(handle) ?? handle.message}`);
  await handle.close();
}

export interface SourceLine {
  /** Physical line number, from 1 (empty lines count, as in an editor). */
  line: number;
  /** The line without its line break, bytes read as Latin-1 so that garbage survives unchanged. */
  text: string;
  /** False for a last line that ends without a newline: a cut-off download looks exactly like this. */
  terminated: boolean;
  /** The line was longer than MAX_LINE_CHARS; `text` holds its start only. */
  overlong: boolean;
}

/** Archive lines are ~150 bytes; anything this long is garbage, and holding it whole would break constant memory. */
export const MAX_LINE_CHARS = 16_384;

interface ZipEntryStream {
  stream: Readable;
  entryName: string;
  crc32: number;
  close(): void;
}

/**
 * The one CSV of a ZIP. Binance archives hold exactly one; a ZIP with several is refused rather than guessed at,
 * since each CSV could be another symbol or interval (importing them under one --symbol would mix markets).
 */
function openZipCsv(file: string): Promise<ZipEntryStream> {
  const name = path.basename(file);
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(new ArchiveError(`${name}: not a readable ZIP (${err?.message ?? 'unknown error'})`));
      const entries: yauzl.Entry[] = [];
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        zip.close();
        reject(new ArchiveError(message));
      };
      // After the entry stream is handed over, errors surface through it; this only keeps a late one from crashing.
      zip.on('error', (e: Error) => fail(`${name}: corrupt ZIP (${e.message})`));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => {
        const csvs = entries.filter((e) => /\.csv$/i.test(e.fileName));
        if (csvs.length === 0) {
          return fail(`${name}: the ZIP holds no .csv file (${entries.map((e) => e.fileName).join(', ') || 'it is empty'})`);
        }
        if (csvs.length > 1) {
          const names = csvs.map((e) => e.fileName).join(', ');
          return fail(
            `${name}: the ZIP holds ${csvs.length} CSV files (${names}); import takes one per ZIP, ` +
              'so extract them and import each with its own --symbol/--interval',
          );
        }
        const entry = csvs[0];
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return fail(`${name}: cannot read ${entry.fileName} (${err?.message ?? 'unknown error'})`);
          settled = true;
          resolve({ stream, entryName: entry.fileName, crc32: entry.crc32, close: () => zip.close() });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Lines of `file`, a .csv or a .zip holding one. Reading is streamed; a ZIP entry's CRC-32 is checked at its end,
 * because DEFLATE itself does not notice every flipped byte and would hand over garbage rows.
 */
export async function* archiveLines(file: string): AsyncGenerator<SourceLine> {
  for await (const batch of archiveLineBatches(file)) for (const line of batch) yield line;
}

/** Buffers of a plain file are read this big: fewer, larger chunks mean fewer batches and less per-chunk work. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * A read chunk's whole lines, not yet cut into strings: `text` holds lines that each end with a newline, the first
 * numbered `firstLine`. `tail` is a line that needs saying apart, after those: the start of an overlong line, or the
 * file's last line when it has no newline.
 */
export interface ArchiveChunk {
  readonly text: string;
  readonly firstLine: number;
  readonly tail?: SourceLine;
}

/**
 * archiveLines a chunk of the file at a time: the lines of each chunk read, in order, as one array. An importer of
 * millions of lines awaits once per chunk rather than once per line.
 */
export async function* archiveLineBatches(file: string): AsyncGenerator<SourceLine[]> {
  for await (const chunk of archiveChunks(file)) {
    const batch: SourceLine[] = [];
    const { text } = chunk;
    let line = chunk.firstLine;
    for (let start = 0, nl = text.indexOf('\n'); nl >= 0; start = nl + 1, nl = text.indexOf('\n', start)) {
      batch.push({ line: line++, text: stripCr(text.slice(start, nl)), terminated: true, overlong: false });
    }
    if (chunk.tail) batch.push(chunk.tail);
    if (batch.length) yield batch;
  }
}

/**
 * The file's lines a read chunk at a time, as ArchiveChunks: the importer's fast path reads most lines in place in
 * `text`, and cuts out only those it hands to the checks that give reasons.
 */
export async function* archiveChunks(file: string): AsyncGenerator<ArchiveChunk> {
  const name = path.basename(file);
  const zipped = /\.zip$/i.test(file);
  const zip = zipped ? await openZipCsv(file) : undefined;
  const where = zip ? `${name} (${zip.entryName})` : name;
  const stream: Readable = zip ? zip.stream : createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  let crc = 0;
  let bytes = 0;
  /** Lines whose newline has been read. */
  let line = 0;
  let carry = '';
  let skipping = false;
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (zip) crc = zlib.crc32(chunk, crc);
        bytes += chunk.length;
        let text = carry + chunk.toString('latin1');
        if (skipping) {
          // The rest of the overlong line up to its newline belongs to the record already reported.
          const nl = text.indexOf('\n');
          if (nl < 0) {
            carry = '';
            continue;
          }
          skipping = false;
          line++;
          text = text.slice(nl + 1);
        }
        const last = text.lastIndexOf('\n');
        const whole = last < 0 ? '' : text.slice(0, last + 1);
        const firstLine = line + 1;
        let newlines = 0;
        for (let nl = whole.indexOf('\n'); nl >= 0; nl = whole.indexOf('\n', nl + 1)) newlines++;
        line += newlines;
        carry = text.slice(last + 1);
        let tail: SourceLine | undefined;
        if (carry.length > MAX_LINE_CHARS) {
          tail = { line: line + 1, text: carry.slice(0, MAX_LINE_CHARS), terminated: true, overlong: true };
          skipping = true;
          carry = '';
        }
        if (whole || tail) yield { text: whole, firstLine, tail };
      }
    } catch (err) {
      throw new ArchiveError(`${where}: unreadable at line ${line + 1} (byte ${bytes} of the data): ${(err as Error).message}`);
    }
    if (zip && crc >>> 0 !== zip.crc32 >>> 0) {
      throw new ArchiveError(
        `${where}: corrupt ZIP: CRC-32 of the ${bytes} bytes read does not match the directory's ` + '(the data was damaged)',
      );
    }
    if (carry.length > 0 && !skipping) {
      yield { text: '', firstLine: line + 1, tail: { line: line + 1, text: stripCr(carry), terminated: false, overlong: false } };
    }
  } finally {
    stream.destroy();
    zip?.close();
  }
}

const stripCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);

/** Comma-separated fields of a line, trimmed, a field's surrounding double quotes removed (archives never quote). */
export function splitFields(text: string, delimiter = ','): string[] {
  return text.split(delimiter).map((field) => {
    const trimmed = field.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
  });
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
  if (expected !== sha256)
    throw new ArchiveError(`${path.basename(file)}: checksum mismatch (expected ${expected}, got ${sha256})`);
  return { sha256, verified: true };
}
