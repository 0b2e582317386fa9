import { Command, CommanderError } from 'commander';
import { EXIT, failureReport, UserError } from '../lib/util/errors';
import { endProgress } from '../lib/util/progress';
import { endQuietlyWhenOutputCloses } from '../lib/util/stdio';
import { addBackfillCommand } from './commands/backfill';
import { addGoldCommand, addRunCommand, addSilverCommand } from './commands/build';
import { addHistoryCommand } from './commands/history';
import { addCollectCommand, addDemoCommand, addImportCommand } from './commands/ingest';
import { addFeaturesCommand, addHealthCommand, addQueryCommand, addValidateCommand } from './commands/inspect';
import type { CliRun } from './commands/output';
import { addSliceCommand } from './commands/slice';

/**
 * The `lakehouse` CLI (README.md, "The `lakehouse` CLI"): parses flags, calls the core, prints results on stdout and
 * progress on stderr. The commands are defined in bin/commands/. `runLakehouse` runs one command line and returns
 * its exit code, so tests run it in-process; `lakehouseMain` is the process (bin/lakehouse.js).
 */

export type { CliRun };

/** A fresh program per run: commander keeps parsed values on its commands. */
export function lakehouseProgram(run: CliRun): Command {
  const oneLine = (help: string) => (msg: string, write: (text: string) => void) =>
    write(`lakehouse: ${msg.replace(/^error: /, '').trimEnd()} (see ${help})\n`);

  const program = new Command('lakehouse')
    .description('crypto-lakehouse: collect exchange data into Bronze, clean it into Silver, compute Gold features')
    .exitOverride()
    .configureOutput({ outputError: oneLine('lakehouse --help') });

  // In the order `lakehouse --help` lists them.
  addDemoCommand(program);
  addCollectCommand(program, run);
  addImportCommand(program);
  addHistoryCommand(program, run);
  addBackfillCommand(program, run);
  addSilverCommand(program, run);
  addValidateCommand(program, run);
  addGoldCommand(program, run);
  addFeaturesCommand(program);
  addRunCommand(program, run);
  addHealthCommand(program, run);
  addQueryCommand(program);
  addSliceCommand(program);

  // A mistake in a command's flags points at that command's help.
  for (const command of program.commands) command.configureOutput({ outputError: oneLine(`lakehouse ${command.name()} --help`) });
  return program;
}

/**
 * Runs one `lakehouse` command line (the arguments after `lakehouse`) and returns its exit code (README.md, "The
 * `lakehouse` CLI", lists them): a mistake is one line on stderr, never a stack trace.
 */
export async function runLakehouse(args: readonly string[], run: CliRun = { exitCode: EXIT.OK }): Promise<number> {
  const program = lakehouseProgram(run);
  try {
    if (args.length === 0) {
      throw new UserError(
        `a command is needed: one of ${program.commands.map((c) => c.name()).join(', ')} (see lakehouse --help)`,
      );
    }
    // Commander answers `help <unknown>` with the whole help on stderr; a mistake is one line.
    if (args[0] === 'help' && args[1] !== undefined && !program.commands.some((c) => c.name() === args[1])) {
      throw new UserError(`unknown command '${args[1]}' (see lakehouse --help)`);
    }
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    endProgress();
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help, exit code 0).
      run.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return run.exitCode;
    }
    const failure = failureReport(err);
    process.stderr.write(`lakehouse: ${failure.line}\n`);
    if (process.env.LAKEHOUSE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    run.exitCode = failure.exitCode;
  }
  return run.exitCode;
}

/** The `lakehouse` process: the command line, quiet closed pipes, the exit code. */
export function lakehouseMain(): void {
  const run: CliRun = { exitCode: EXIT.OK };
  endQuietlyWhenOutputCloses(() => run.exitCode);
  void runLakehouse(process.argv.slice(2), run).then((code) => {
    process.exitCode = code;
    // Everything is written or reported: a socket or timer a library left behind must not keep the process alive.
    setTimeout(() => process.exit(), 5_000).unref();
  });
}
