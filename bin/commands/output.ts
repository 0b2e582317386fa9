import { EXIT } from '../../lib/util/errors';

/** What every `lakehouse` command writes: results on stdout, warnings and problems on stderr, and the exit code. */

/** What a command run has to say about how it ended: the actions set a code other than 0 here. */
export interface CliRun {
  exitCode: number;
}

export const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
export const json = (value: unknown) => print(JSON.stringify(value, null, 2));
export const warn = (line: string) => process.stderr.write(`lakehouse: warning: ${line}\n`);

/** The end of a build: what it skipped or could not build, one line each on stderr, and exit code 3. */
export function reportProblems(run: CliRun, lines: readonly string[]): void {
  if (!lines.length) return;
  process.stderr.write(
    `lakehouse: ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}\n`).join('')}`,
  );
  run.exitCode = EXIT.LAKE_PROBLEM;
}
