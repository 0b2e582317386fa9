/**
 * Progress for long-running commands: one line per step on stderr (stdout carries only results), rewritten in
 * place on a terminal.
 */
export type Progress = (message: string) => void;

export function stderrProgress(enabled = true): Progress {
  if (!enabled) return () => {};
  const tty = process.stderr.isTTY;
  let lastLen = 0;
  return (message: string) => {
    if (tty) {
      const pad = lastLen > message.length ? ' '.repeat(lastLen - message.length) : '';
      process.stderr.write(`\r${message}${pad}`);
      lastLen = message.length;
    } else {
      process.stderr.write(`${message}\n`);
    }
  };
}

/** Ends a run of in-place progress lines so the next output starts on a fresh line. */
export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}
