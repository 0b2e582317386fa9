/**
 * A reader that stops early (`lakehouse query "…" | head -1`) closes the pipe, and the next write to it fails
 * with EPIPE, emitted as an 'error' event that would otherwise end the process with a stack trace. Closing the
 * pipe is the reader's choice, so the command ends quietly, with the exit code it has at that point (0 unless it
 * already found a problem), as a shell pipeline expects. Any other failure to write the output is said in one line.
 */
export function endQuietlyWhenOutputCloses(exitCode: () => number): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') {
        const name = stream === process.stdout ? 'stdout' : 'stderr';
        try {
          process.stderr.write(`lakehouse: cannot write to ${name}: ${err.message}\n`);
        } catch {
          /* stderr is gone too */
        }
        process.exit(1);
      }
      process.exit(exitCode());
    });
  }
}
