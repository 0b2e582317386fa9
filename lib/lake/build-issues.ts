import { UnreadableFileError } from '../parquet/read';
import { logger } from '../util/log';

/**
 * What a Silver or Gold build could not use (docs/bad-files.md): inputs it skipped and went on without, and
 * partitions it could not build. A build goes through every partition before it reports either, so one bad file
 * costs its own partition at most, never the rest of the date or range.
 */

export type BuildLayer = 'silver' | 'gold';

export interface PartitionRef {
  exchange: string;
  symbol: string;
  dt: string;
}

/** An input left out: an unreadable Bronze file (the partition is built without it), or a folder that is not a partition. */
export interface SkippedInput {
  layer: BuildLayer;
  /** The partition being built, when the input belonged to one. */
  partition?: PartitionRef;
  /** The file, or the folder's prefix (ending in '/'). */
  key: string;
  reason: string;
}

/** A partition not built: whatever it held before stays as it was. */
export interface PartitionFailure {
  layer: BuildLayer;
  partition: PartitionRef;
  /** The input file that could not be read, when that was the cause. */
  file?: string;
  reason: string;
}

export function partitionFailure(layer: BuildLayer, partition: PartitionRef, e: unknown): PartitionFailure {
  if (e instanceof UnreadableFileError) return { layer, partition, file: e.key, reason: e.reason };
  const reason = (e as Error)?.message ?? String(e);
  // The stack stays in the log; the failure list carries the message.
  logger(`${layer}-job`).error({ err: e, ...partition }, `${layer} partition failed`);
  return { layer, partition, reason };
}

const where = (layer: BuildLayer, p: PartitionRef | undefined) => `${layer}${p ? ` ${p.exchange} ${p.symbol} ${p.dt}` : ''}`;

export function failureLine(failure: PartitionFailure): string {
  return `${where(failure.layer, failure.partition)} failed: ${failure.file ? `${failure.file}: ` : ''}${failure.reason}`;
}

export function skippedLine(skipped: SkippedInput): string {
  return `${where(skipped.layer, skipped.partition)}: skipped ${skipped.key}: ${skipped.reason}`;
}

/** The default for jobs run without an `onSkip`: a warning in the log (CloudWatch, in AWS). */
export function logSkipped(skipped: SkippedInput): void {
  logger(`${skipped.layer}-job`).warn(
    { key: skipped.key, reason: skipped.reason, ...skipped.partition },
    `${skipped.layer} skipped an input`,
  );
}

/**
 * Thrown by a build after it went through every partition, when some failed. `built` holds what the build
 * did write; the message has one line per failed partition, which is what a Lambda invocation's error (and the
 * Step Functions map run listing it) shows.
 */
export class PartitionsFailedError<T> extends Error {
  constructor(
    readonly built: T,
    readonly failures: readonly PartitionFailure[],
  ) {
    const lines = failures.map(failureLine);
    super(lines.length === 1 ? lines[0] : `${lines.length} partitions failed:\n${lines.join('\n')}`);
    this.name = 'PartitionsFailed';
  }
}

/** A build's outcome either way: what it wrote, and the failures (with the error to rethrow) if some partitions failed. */
export async function settle<T>(
  build: Promise<T>,
): Promise<{ built: T; failures: readonly PartitionFailure[]; error?: PartitionsFailedError<T> }> {
  try {
    return { built: await build, failures: [] };
  } catch (e) {
    if (!(e instanceof PartitionsFailedError)) throw e;
    return { built: e.built as T, failures: e.failures, error: e as PartitionsFailedError<T> };
  }
}
