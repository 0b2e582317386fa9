/**
 * Faults the archive server injects, per URL path, and the log of what it answered, so tests can script the
 * archive's misbehaviour (docs/history.md) and then assert retries, verification and that a re-run asks for nothing.
 */

/** What goes wrong with a path; each applies to the path's first `times` requests (default: every request). */
export type ArchiveFault =
  /** 404, as for a day the archive lacks. */
  | { kind: 'missing'; times?: number }
  /** The ZIP is served intact but its `.CHECKSUM` names another sha256 (set it on the ZIP's path). */
  | { kind: 'badChecksum'; times?: number }
  /** The body is cut to `keepBytes` (default half) with a matching Content-Length: a stored object that was cut off. */
  | { kind: 'truncate'; keepBytes?: number; times?: number }
  /** 429 with Retry-After, or 503 (Retry-After when given), as a throttling or failing CDN answers. */
  | { kind: 'status'; status: 429 | 503; retryAfterS?: number; times?: number }
  /** Headers promise the whole body; the connection is destroyed after `keepBytes` (default half) of it. */
  | { kind: 'reset'; keepBytes?: number; times?: number };

/** Faults by URL path (with or without the leading slash): the ZIP's path or its `.CHECKSUM` path. */
export type ArchiveFaultPlan = Readonly<Record<string, readonly ArchiveFault[]>>;

export interface ArchiveRequestRecord {
  /** 1, 2, … in arrival order. */
  seq: number;
  method: string;
  /** URL path without the leading slash and without a query. */
  path: string;
  /** Which request of this path it was, from 1. */
  attempt: number;
  status: number;
  /** Body bytes written (fewer than promised for a reset). */
  bytes: number;
  /** The fault that shaped the answer, if any. */
  fault?: ArchiveFault['kind'];
}

export const normalizePath = (path: string): string => path.split('?')[0].replace(/^\/+/, '');

/** Per-path request counts and the faults due for the next request of a path. */
export class ArchiveFaultState {
  private readonly attempts = new Map<string, number>();
  private readonly plan = new Map<string, readonly ArchiveFault[]>();
  readonly log: ArchiveRequestRecord[] = [];

  constructor(plan: ArchiveFaultPlan = {}) {
    this.setPlan(plan);
  }

  /** Replaces the plan; request counts carry on (a fault's `times` counts from the path's first request ever). */
  setPlan(plan: ArchiveFaultPlan): void {
    this.plan.clear();
    for (const [path, faults] of Object.entries(plan)) this.plan.set(normalizePath(path), faults);
  }

  /** Counts a request of `path` and returns which request of it this is, from 1. */
  nextAttempt(path: string): number {
    const attempt = (this.attempts.get(path) ?? 0) + 1;
    this.attempts.set(path, attempt);
    return attempt;
  }

  /** The first fault planned for `path` that still applies at this attempt, optionally of one kind. */
  faultFor(path: string, attempt: number, kinds?: readonly ArchiveFault['kind'][]): ArchiveFault | undefined {
    return this.plan.get(path)?.find((fault) => attempt <= (fault.times ?? Infinity) && (!kinds || kinds.includes(fault.kind)));
  }

  record(entry: Omit<ArchiveRequestRecord, 'seq'>): void {
    this.log.push({ seq: this.log.length + 1, ...entry });
  }
}
