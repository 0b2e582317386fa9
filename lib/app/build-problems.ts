import { failureLine, skippedLine, type PartitionFailure, type SkippedInput } from '../lake/build-issues';

/**
 * What `lakehouse silver|gold|run` tells about inputs it skipped and partitions it could not build: a warning as
 * each input is skipped, then the whole list once the build is over (docs/bad-files.md). A folder skipped by
 * every date of a range is told once.
 */
export class BuildProblems {
  private readonly skipped = new Set<string>();

  constructor(private readonly warn: (line: string) => void) {}

  readonly onSkip = (skipped: SkippedInput): void => {
    const line = skippedLine(skipped);
    if (this.skipped.has(line)) return;
    this.skipped.add(line);
    this.warn(line);
  };

  /** One line per skipped input, then one per failed partition. */
  list(failures: readonly PartitionFailure[]): string[] {
    return [...this.skipped, ...failures.map(failureLine)];
  }
}
