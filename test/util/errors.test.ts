import { ArchiveError } from '../../lib/history/archive-source';
import { EXIT, failureReport, NothingMatchedError, UserError } from '../../lib/util/errors';

/** How an error that ends a `lakehouse` command is told (README.md, "The `lakehouse` CLI", exit codes). */
describe('failureReport', () => {
  const errno = (code: string, p?: string) => Object.assign(new Error(`${code}: something, open '${p}'`), { code, path: p });

  it.each([
    [
      'a UserError',
      new UserError('--from 2024-02-05 is after --to 2024-02-01'),
      EXIT.USAGE,
      '--from 2024-02-05 is after --to 2024-02-01',
    ],
    ['an ArchiveError (a UserError)', new ArchiveError('x.zip: not a readable ZIP'), EXIT.USAGE, 'x.zip: not a readable ZIP'],
    [
      'nothing matched',
      new NothingMatchedError('nothing to build: no Bronze 1m klines on 2020-01-01'),
      EXIT.NOTHING_MATCHED,
      'nothing to build: no Bronze 1m klines on 2020-01-01',
    ],
    ['a missing file the user named', errno('ENOENT', 'x.csv'), EXIT.USAGE, 'no such file: x.csv'],
    ['a folder read as a file', errno('EISDIR', 'data'), EXIT.USAGE, 'data: is a folder, not a file'],
    ['a file it may not write', errno('EACCES', '/lake/x'), EXIT.USAGE, '/lake/x: permission denied'],
    ['a read-only file system', errno('EROFS', '/lake/x'), EXIT.USAGE, '/lake/x: read-only file system'],
    [
      'a file-system error without a path',
      errno('EACCES'),
      EXIT.UNEXPECTED,
      "unexpected error: EACCES: something, open 'undefined'",
    ],
    [
      'anything else',
      new TypeError('x is not a function\n    at f (a.ts:1:1)'),
      EXIT.UNEXPECTED,
      'unexpected error: x is not a function',
    ],
    ['a thrown string', 'boom', EXIT.UNEXPECTED, 'unexpected error: boom'],
  ])(
    '%s',
    (_name, e, exitCode, line) => {
      expect(failureReport(e)).toEqual({ line, exitCode, unexpected: exitCode === EXIT.UNEXPECTED });
    },
    5_000,
  );
});
