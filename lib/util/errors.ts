/**
 * An error the user can fix (bad flag, missing file, unsupported option). The CLI prints its message as one
 * line and exits non-zero; anything else is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * The request was well formed and the lake is there, but it holds nothing for what was named (a date, a range, an
 * exchange, a symbol): nothing was built or shown. Not a mistake as such (a day the collector missed looks the
 * same as a typo'd symbol), and not a success either, so it has an exit code of its own.
 */
export class NothingMatchedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingMatchedError';
  }
}

/** The `lakehouse` exit codes, as README.md's CLI section lists them. */
export const EXIT = {
  OK: 0,
  /** A bug: an error nobody anticipated (LAKEHOUSE_DEBUG=1 prints its stack). */
  UNEXPECTED: 1,
  /** A usage or input mistake: one line on stderr, nothing done. */
  USAGE: 2,
  /** The lake has a problem the output names (a skipped file, a failed partition, health not OK, a FAIL verdict). */
  LAKE_PROBLEM: 3,
  /** `collect`: the trade-id audit of a simulated run found gaps it cannot explain. */
  AUDIT_FAILED: 4,
  /** `collect`: rows could not be written (they wait in the spool). */
  ROWS_NOT_WRITTEN: 5,
  /** The lake holds nothing for the date, range, exchange or symbol named. */
  NOTHING_MATCHED: 6,
} as const;

const ERRNO_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

/** What a file-system error means for the user, or undefined for an error that is not one. */
export function fileSystemProblem(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : ERRNO_PROBLEMS[code];
}

/**
 * The one stderr line and the exit code for an error that ended a command. A file-system error about a path the
 * user gave (a file that went away, a folder the user may not write) is the user's to fix, so it is said as
 * such; anything else is unexpected.
 */
export function failureReport(error: unknown): { line: string; exitCode: number; unexpected: boolean } {
  if (error instanceof UserError) return { line: error.message, exitCode: EXIT.USAGE, unexpected: false };
  if (error instanceof NothingMatchedError) return { line: error.message, exitCode: EXIT.NOTHING_MATCHED, unexpected: false };
  const err = error as NodeJS.ErrnoException;
  const problem = fileSystemProblem(err);
  if (problem && err.path) {
    const line = err.code === 'ENOENT' ? `no such file: ${err.path}` : `${err.path}: ${problem}`;
    return { line, exitCode: EXIT.USAGE, unexpected: false };
  }
  const message = err instanceof Error ? err.message : String(error);
  return { line: `unexpected error: ${message.split('\n')[0]}`, exitCode: EXIT.UNEXPECTED, unexpected: true };
}
