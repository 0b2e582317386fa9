import { dateOf, hourOf } from '../storage/lake-paths';
import { ArchiveError } from './archive-source';
import { dataRecords, readRecord, reasonKind, type DataRecord, type LineContext } from './import-lines';
import { IntervalEvidence, PROFILE_SAMPLE, profileKlineFile, type KlineFileProfile } from './kline-file-profile';

/**
 * The first pass of `lakehouse import` (lib/history/import-archive.ts): reads and checks every line and writes
 * nothing, so a file that cannot be read to its end, whose interval contradicts its data, or whose rows mostly
 * fail is refused whole. What it counts per hour partition tells the second pass when an hour is complete.
 */

/** A file with more than this share of its lines rejected is refused whole: it is the wrong dataset or format. */
export const REFUSE_REJECTED_SHARE = 0.5;

/** The three most common reasons of a refused file, each with the first line it was seen on (`line`, or `row`). */
export function topReasons(byReason: ReadonlyMap<string, { count: number; line: number }>, unit = 'line'): string {
  return [...byReason]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, 3)
    .map(([kind, seen]) => `${seen.count} × ${kind}, first at ${unit} ${seen.line}`)
    .join('; ');
}

/** The hour partition of an open time, as `dt|hour`. */
export const partitionOf = (time: number) => `${dateOf(time)}|${hourOf(time)}`;

export interface CheckedFile {
  /** What every line is read against, the file's profile included. */
  context: LineContext;
  /** The header's line number; 0 when the file has none. */
  headerLine: number;
  /** Good rows per hour partition (`dt|hour`). */
  expected: Map<string, number>;
  records: number;
  rejected: number;
  firstTime: number | null;
  lastTime: number | null;
}

/**
 * Checks every line of `file` against the context `contextOf` makes of the file's profile (read from its first
 * lines). `intervalFrom` says where the interval came from, for the refusal of a file whose data contradicts it.
 */
export async function checkArchiveLines(
  file: string,
  name: string,
  contextOf: (profile: KlineFileProfile) => LineContext,
  intervalFrom: string,
): Promise<CheckedFile> {
  let context: LineContext | undefined;
  let headerLine = 0;
  const sample: DataRecord[] = [];
  const evidence = new IntervalEvidence();
  const byReason = new Map<string, { count: number; line: number }>();
  const expected = new Map<string, number>();
  let records = 0;
  let rejected = 0;
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  const check = (record: DataRecord) => {
    if (record.line === headerLine) return;
    records++;
    const out = readRecord(context!, record);
    if (out.openTime !== undefined) evidence.add(out.openTime, out.closeTime ?? null);
    if ('reason' in out) {
      rejected++;
      const kind = reasonKind(out.reason);
      const seen = byReason.get(kind);
      if (seen) seen.count++;
      else byReason.set(kind, { count: 1, line: record.line });
      return;
    }
    const openTime = out.row.open_time as number;
    const partition = partitionOf(openTime);
    expected.set(partition, (expected.get(partition) ?? 0) + 1);
    firstTime = firstTime === null ? openTime : Math.min(firstTime, openTime);
    lastTime = lastTime === null ? openTime : Math.max(lastTime, openTime);
  };
  const start = () => {
    const profile = profileKlineFile(name, sample);
    if (profile.header) headerLine = sample[0].line;
    context = contextOf(profile);
    for (const record of sample) check(record);
    sample.length = 0;
  };
  for await (const record of dataRecords(file)) {
    if (context) {
      check(record);
      continue;
    }
    sample.push(record);
    if (sample.length >= PROFILE_SAMPLE) start();
  }
  if (!context) start();

  const interval = context!.interval;
  const contradiction = evidence.contradiction(interval);
  if (contradiction) {
    throw new ArchiveError(`${name}: ${contradiction} (the interval ${interval} comes from ${intervalFrom}); nothing imported`);
  }
  const kinds = () => topReasons(byReason);
  const wrong = 'likely the wrong dataset or format; nothing imported';
  if (rejected === records) throw new ArchiveError(`${name}: none of its ${records} rows can be imported (${kinds()}): ${wrong}`);
  if (rejected > REFUSE_REJECTED_SHARE * records) {
    throw new ArchiveError(`${name}: ${rejected} of ${records} rows fail the checks (${kinds()}): ${wrong}`);
  }
  return { context: context!, headerLine, expected, records, rejected, firstTime, lastTime };
}
