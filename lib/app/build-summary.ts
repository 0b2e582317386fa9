import type { ObjectStore } from '../storage/object-store';
import type { PartitionItem } from './build-plan';

/**
 * What a Distributed Map run left in the lake (its ResultWriter export: a manifest naming result files per status,
 * as Step Functions writes them — docs/aws-rules.md, "Fan-out"), turned into the list of partitions that failed.
 * Only the FAILED and PENDING files are read: successes are counted from the plan, so a run over hundreds of
 * thousands of partitions does not make the summary read every child's output.
 */

export interface MapRunManifest {
  DestinationBucket?: string;
  MapRunArn?: string;
  ResultFiles: Partial<Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size?: number }[]>>;
}

/** One child execution as the result files record it. */
interface ChildRecord {
  Input?: string;
  Status?: string;
  Error?: string;
  Cause?: string;
}

export interface FailedPartition extends Partial<PartitionItem> {
  error: string;
  cause: string;
}

export interface StageSummary {
  planned: number;
  succeeded: number;
  failed: number;
  /** Items never run because the map run stopped (its tolerated-failure threshold was exceeded). */
  notRun: number;
  /** The failed partitions, at most `MAX_LISTED` of them; the result files hold them all. */
  failedPartitions: FailedPartition[];
  manifestKey: string;
}

export const MAX_LISTED = 100;
/** Causes are cut to this many characters in the summary (a state's output is limited to 256 KB). */
const MAX_CAUSE = 300;

export async function summarizeMapRun(store: ObjectStore, manifestKey: string, planned: number): Promise<StageSummary> {
  const manifest = JSON.parse(Buffer.from(await store.get(manifestKey)).toString('utf8')) as MapRunManifest;
  const records = async (status: 'FAILED' | 'PENDING') => {
    const out: ChildRecord[] = [];
    for (const file of manifest.ResultFiles[status] ?? [])
      out.push(...(JSON.parse(Buffer.from(await store.get(file.Key)).toString('utf8')) as ChildRecord[]));
    return out;
  };
  const failed = await records('FAILED');
  const pending = await records('PENDING');
  return {
    planned,
    succeeded: Math.max(0, planned - failed.length - pending.length),
    failed: failed.length,
    notRun: pending.length,
    failedPartitions: failed
      .slice(0, MAX_LISTED)
      .map((r) => ({ ...partitionOf(r.Input), error: r.Error ?? 'unknown', cause: causeText(r.Cause) })),
    manifestKey,
  };
}

/** A Lambda task's Cause is the function's error as JSON; its message is what a reader needs. */
function causeText(cause: string | undefined): string {
  let text = cause ?? '';
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // not JSON: keep it as it is
  }
  return text.slice(0, MAX_CAUSE);
}

function partitionOf(input: string | undefined): Partial<PartitionItem> {
  try {
    const item = JSON.parse(input ?? '{}') as Partial<PartitionItem>;
    return { dt: item.dt, exchange: item.exchange, symbol: item.symbol };
  } catch {
    return {};
  }
}
