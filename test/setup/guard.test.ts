import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../helpers/sample-rows';

/**
 * The guard every test runs under (test/setup/guard.ts) and the runner (test/setup/runner.mjs), proven on the
 * fixtures in test/setup/fixtures by a jest of their own with this repository's runner setup: hung tests and
 * hooks fail within their timeout and name themselves, a test that blocks its event loop is killed and the run
 * goes on, only failing tests show what they wrote, and test processes that start at different times all run.
 */

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/setup/fixtures');
const DEFAULT_TIMEOUT_MS = 3000;
const GRACE_MS = 1000;
/** A fixture run that has not ended by then has hung: it is killed, so no test process outlives this file. */
const FIXTURE_RUN_LIMIT_MS = 80_000;

interface AssertionResult {
  fullName: string;
  status: string;
  duration: number | null;
  failureMessages: string[];
}
interface FileResult {
  name: string;
  status: string;
  message: string;
  assertionResults: AssertionResult[];
}

interface Run {
  code: number;
  output: string;
  files: Map<string, FileResult>;
}

const running = new Set<ChildProcess>();

/** Runs jest with this repository's runner and guard on the fixtures under `dir`. */
async function runFixtures(dir: string, preload?: string): Promise<Run> {
  const out = path.join(tmpDir('guard'), 'results.json');
  const config = {
    rootDir: ROOT,
    runner: '<rootDir>/test/setup/runner.mjs',
    setupFilesAfterEnv: ['<rootDir>/test/setup/guard.ts'],
    roots: [path.join(FIXTURES, dir)],
    testMatch: ['**/*.fixture.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    testTimeout: DEFAULT_TIMEOUT_MS,
    // More than one worker: with one, jest-light-runner runs the tests inside jest's own process.
    maxWorkers: 2,
  };
  const args = [
    path.join(ROOT, 'node_modules/jest/bin/jest.js'),
    '--config',
    JSON.stringify(config),
    '--json',
    '--outputFile',
    out,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: `--import tsx${preload ? ` --import ${preload}` : ''}`,
      LOG_LEVEL: 'warn',
      LAKEHOUSE_TEST_WATCHDOG_GRACE_MS: String(GRACE_MS),
      TEST_OUTPUT: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const hung = setTimeout(() => child.kill('SIGKILL'), FIXTURE_RUN_LIMIT_MS);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(hung);
  running.delete(child);
  if (code === -1) throw new Error(`the fixture run of ${dir} did not end within ${FIXTURE_RUN_LIMIT_MS} ms:\n${output}`);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { testResults: FileResult[] };
  return { code, output, files: new Map(json.testResults.map((r) => [path.basename(r.name), r])) };
}

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

describe('per-test timeouts and buffered output under jest-light-runner', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runFixtures('guard');
  }, 90_000);

  const test = (file: string, name: string): AssertionResult => {
    const t = run.files.get(file)?.assertionResults.find((a) => a.fullName === name);
    if (!t) throw new Error(`no result for ${file}: ${name}`);
    return t;
  };

  it('reports every fixture file, and fails the run', () => {
    expect([...run.files.keys()].sort()).toEqual(['hang.fixture.ts', 'output.fixture.ts', 'spin.fixture.ts']);
    expect(run.code).toBe(1);
  });

  it('fails a test that never settles within its own timeout, naming it', () => {
    const t = test('hang.fixture.ts', 'never settles');
    expect(t.status).toBe('failed');
    expect(t.failureMessages.join('\n')).toContain('test "hanging > never settles" did not finish within its timeout of 1000 ms');
    expect(t.failureMessages.join('\n')).toContain('hang.fixture.ts:4:');
    // It waited for its timeout, and not much longer than that.
    expect(t.duration).toBeGreaterThanOrEqual(1000);
    expect(t.duration).toBeLessThan(1000 + 20_000);
  });

  it('fails a test that never calls done', () => {
    const t = test('hang.fixture.ts', 'never calls done');
    expect(t.status).toBe('failed');
    expect(t.failureMessages.join('\n')).toContain(
      'test "hanging > never calls done" did not finish within its timeout of 1000 ms',
    );
  });

  it("holds a test without a timeout of its own to jest's testTimeout", () => {
    const t = test('hang.fixture.ts', 'has no timeout of its own');
    expect(t.status).toBe('failed');
    expect(t.failureMessages.join('\n')).toContain(`did not finish within its timeout of ${DEFAULT_TIMEOUT_MS} ms`);
    expect(t.duration).toBeGreaterThanOrEqual(DEFAULT_TIMEOUT_MS);
  });

  it('runs the tests after a hung one, and fails a hung hook by name', () => {
    expect(test('hang.fixture.ts', 'runs after the hung ones').status).toBe('passed');
    expect(test('hang.fixture.ts', 'still runs').status).toBe('passed');
    const hook = test('hang.fixture.ts', '(beforeAll)');
    expect(hook.status).toBe('failed');
    expect(hook.failureMessages.join('\n')).toContain(
      'beforeAll hook of "a hung hook" did not finish within its timeout of 1000 ms',
    );
  });

  it('kills a test that blocks its event loop, names it, and the other files still run', () => {
    const spin = run.files.get('spin.fixture.ts')!;
    expect(spin.status).toBe('failed');
    expect(spin.message).toContain('Worker exited unexpectedly');
    expect(run.output).toContain(
      'test "spinning > never yields" blocked the event loop past its timeout of 500 ms; killing its test process ',
    );
    expect(test('output.fixture.ts', 'passes after the failure').status).toBe('passed');
  });

  it('drops the output of passing tests and appends a failing test’s output (file load, beforeAll, its own) to its failure', () => {
    expect(test('output.fixture.ts', 'passes quietly').status).toBe('passed');
    for (const line of ['PASSING-LOG-LINE', 'PASSING-CONSOLE-LINE', 'PASSING-STDERR-LINE', 'LATER-PASSING-LINE']) {
      expect(run.output).not.toContain(line);
    }
    const failure = test('output.fixture.ts', 'fails with its output').failureMessages.join('\n');
    expect(failure).toContain('Expected: "expected"');
    const order = ['LOADING-LINE', 'BEFORE-ALL-LINE', 'FAILING-LOG-LINE', 'FAILING-CONSOLE-LINE'].map((l) => failure.indexOf(l));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(failure).not.toContain('PASSING-LOG-LINE');
    // The failure points at the test's line, not at the guard.
    expect(failure).toContain('output.fixture.ts:22:');
    expect(failure).not.toContain('guard.ts');
  });
});

describe('test processes that start at different times', () => {
  it('all get their configuration and run their file (jest-light-runner 0.7.13 left the later one waiting forever)', async () => {
    // The second test process starts 3 s after the first, as a loaded machine can make it.
    const run = await runFixtures('race', path.join(FIXTURES, 'race/slow-start.mjs'));
    expect([...run.files.keys()].sort()).toEqual(['a.fixture.ts', 'b.fixture.ts']);
    expect([...run.files.values()].map((f) => f.status)).toEqual(['passed', 'passed']);
    expect(run.code).toBe(0);
  }, 90_000);
});
