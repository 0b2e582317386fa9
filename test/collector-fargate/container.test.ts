import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import type { HeartbeatReport } from '../../lib/collector/heartbeat';
import { Metric, METRICS_NAMESPACE } from '../../lib/monitoring/metrics';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { listAll } from '../../lib/storage/object-store';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { tmpDir } from '../helpers/sample-rows';
import { buildLikeDocker, type BuiltImage } from './docker-like';

/**
 * The container as ECS runs it, minus Docker: the bundle built by the Dockerfile's own steps, started with the
 * Dockerfile's CMD from a folder with no node_modules, against the exchange simulator and a real S3 API.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let image: BuiltImage;
let s3: LocalS3;
let sim: RunningSimulator;

beforeAll(async () => {
  image = buildLikeDocker();
  s3 = await startS3('lake');
  // Real time (speed 1, starting now): event times, receive times and heartbeat ages all agree, as in production.
  sim = await startSimulator({ symbols: ['BTCUSDT', 'ETHUSDT'], start: Date.now(), speed: 1, seed: 7 });
});

afterAll(async () => {
  await sim?.stop();
  await s3?.close();
});

/**
 * Only what the task definition would set: no NODE_OPTIONS (the test runner's tsx loader must not leak in) and
 * no AWS profile of this machine. The SDK's warning about Node 20 is silenced: the image runs Node 22.
 */
function containerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmpDir('home'),
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

function s3Env(prefix: string, heartbeatFile: string): Record<string, string> {
  return {
    LAKE_URL: `s3://lake/${prefix}/`,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    SOURCES: JSON.stringify([{ source: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'] }]),
    ENDPOINT_BINANCE: sim.wsBaseUrl,
    FLUSH_INTERVAL_SECONDS: '2',
    HEARTBEAT_INTERVAL_SECONDS: '1',
    HEARTBEAT_FILE: heartbeatFile,
    LOG_LEVEL: 'info',
    SPOOL_DIR: path.join(tmpDir('spool'), 'bronze-spool'),
  };
}

function startContainer(env: NodeJS.ProcessEnv) {
  const [cmd, ...args] = image.cmd;
  expect(cmd).toBe('node');
  const child = spawn(process.execPath, args, { cwd: image.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    run.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString();
  });
  // The test runner enforces no timeout of its own: a container that never exits must not hang the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const exited = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      run.code = code;
      resolve(run);
    }),
  );
  return { child, run, exited };
}

function healthcheck(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const [cmd, ...args] = image.healthcheck;
  expect(cmd).toBe('node');
  const r = spawnSync(process.execPath, args, { cwd: image.workdir, env, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: r.stdout.trim() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readHeartbeat(file: string): HeartbeatReport | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const emfDocs = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: {
            Timestamp: number;
            CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
          };
        },
    );
const logLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string } & Record<string, unknown>);

describe('the bundle the Dockerfile builds', () => {
  const meta = (): Metafile => JSON.parse(fs.readFileSync(path.join(image.workdir, 'meta.json'), 'utf8'));

  it('holds only the bundle and runs with no node_modules in reach', () => {
    expect(fs.readdirSync(image.workdir).sort()).toEqual([
      'healthcheck.js',
      'healthcheck.js.map',
      'main.js',
      'main.js.map',
      'meta.json',
    ]);
    for (let dir = image.workdir; dir !== path.dirname(dir); dir = path.dirname(dir))
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
  });

  it('bundles the AWS SDK and leaves out DuckDB, TA-Lib, native addons and the local query engine', () => {
    const inputs = Object.keys(meta().inputs);
    expect(inputs.some((f) => f.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
    expect(inputs.some((f) => f.includes('node_modules/ws/'))).toBe(true);
    const forbidden = inputs.filter((f) => /duckdb|talib|\.node$|node-gyp|lib\/local\//.test(f));
    expect(forbidden).toEqual([]);
  });

  it('requires nothing at run time but Node built-ins (and ws’s optional speed-ups, which it does without)', () => {
    const builtins = new Set(builtinModules);
    for (const [file, out] of Object.entries(meta().outputs)) {
      if (!file.endsWith('.js')) continue;
      const external = out.imports.filter((i) => i.external).map((i) => i.path.replace(/^node:/, ''));
      expect([file, external.filter((m) => !builtins.has(m) && !['bufferutil', 'utf-8-validate'].includes(m))]).toEqual([
        file,
        [],
      ]);
    }
  });

  it('keeps the health check tiny: no AWS SDK, no logger', () => {
    const out = Object.entries(meta().outputs).find(([f]) => f.endsWith('healthcheck.js'))![1];
    expect(Object.keys(out.inputs).filter((f) => f.includes('node_modules'))).toEqual([]);
    expect(out.bytes).toBeLessThan(10_000);
  });
});

describe('the collector container against the simulator and S3', () => {
  it('writes Bronze to S3, keeps its heartbeat fresh, emits EMF, and on SIGTERM flushes and exits 0', async () => {
    const heartbeatFile = path.join(tmpDir('heartbeat'), 'collector-heartbeat.json');
    const env = containerEnv(s3Env('run1', heartbeatFile));
    const c = startContainer(env);
    try {
      const store = s3.store('run1/');
      await until('Bronze files in S3', async () => ((await listAll(store, 'bronze/trades/')).length > 0 ? true : undefined));
      const streams = ['btcusdt@trade', 'ethusdt@trade', 'ethusdt@depth10@100ms', 'ethusdt@bookTicker', 'btcusdt@kline_1m'];
      // Wait for a beat that saw a flush and every stream (on a loaded machine the first beats may predate some).
      const beat = await until('a heartbeat that saw the flush and every stream', () => {
        const b = readHeartbeat(heartbeatFile);
        const x = b?.exchanges.binance;
        return x && x.filesWritten > 0 && x.messagesPerMinute > 0 && streams.every((s) => s in x.streams) ? b : undefined;
      });
      expect(healthcheck(env)).toEqual({
        status: 0,
        out: expect.stringMatching(/^healthy: heartbeat \d+\.\d s old \(max 90 s\)$/),
      });

      const binance = beat.exchanges.binance;
      expect(binance).toMatchObject({
        source: 'binance',
        symbols: ['BTCUSDT', 'ETHUSDT'],
        reconnects: 0,
        parseErrorCount: 0,
        flushFailures: 0,
      });
      expect(binance.lastEventAgeSeconds).toBeLessThan(5);
      expect(Object.keys(binance.streams)).toEqual(expect.arrayContaining(streams));
      expect(binance.streams['btcusdt@depth10@100ms'].messagesPerMinute).toBeGreaterThan(100);
      expect(fs.readFileSync(heartbeatFile.replace(/\.json$/, '.md'), 'utf8')).toMatch(
        /^# Collector heartbeat[\s\S]*\| binance \|/,
      );

      const stopAt = Date.now();
      c.child.kill('SIGTERM');
      const run = await c.exited;
      expect(run.code).toBe(0);
      // Checked once the container is gone: while it runs, a beat being written is a .tmp file for a moment.
      expect(fs.readdirSync(path.dirname(heartbeatFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(Date.now() - stopAt).toBeLessThan(10_000);

      // Everything buffered reached S3: the final beat shows nothing held back, and every reported file exists.
      const last = readHeartbeat(heartbeatFile)!.exchanges.binance;
      expect(last).toMatchObject({ bufferedRows: 0, unwrittenRows: 0, flushFailures: 0 });
      expect(readHeartbeat(heartbeatFile)!.spool).toMatchObject({ pendingFiles: 0, inMemoryFiles: 0, spooled: 0 });
      const files = await listAll(store, 'bronze/');
      expect(files.length).toBe(last.filesWritten);
      const tradeKeys = files.map((f) => f.key).filter((k) => k.startsWith('bronze/trades/'));
      expect(new Set(tradeKeys.map((k) => /symbol=(\w+)/.exec(k)![1]))).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
      const trades = await readTables(store, dataset('bronze', 'trades'), tradeKeys);
      expect(trades.length).toBeGreaterThan(0);

      // EMF: namespace and names from lib/monitoring/metrics.ts, per exchange and fleet-wide; counters as deltas.
      const docs = emfDocs(run.stdout);
      expect(docs.length).toBeGreaterThan(2);
      const known = new Set<string>(Object.values(Metric));
      for (const d of docs) {
        const [cw] = d._aws.CloudWatchMetrics;
        expect(cw.Namespace).toBe(METRICS_NAMESPACE);
        expect(cw.Dimensions).toEqual([['Exchange']]);
        expect(d.Exchange).toBe('binance');
        for (const m of cw.Metrics) expect(known.has(m.Name) && typeof d[m.Name] === 'number').toBe(true);
      }
      const sum = (name: string) => docs.reduce((n, d) => n + ((d[name] as number | undefined) ?? 0), 0);
      expect(sum(Metric.BronzeFilesWritten)).toBe(last.filesWritten);
      expect(sum(Metric.BronzeRowsWritten)).toBe(last.rowsWritten);
      expect(sum(Metric.MessagesReceived)).toBe(last.messages);
      expect(docs.some((d) => typeof d[Metric.FlushLatencyMs] === 'number')).toBe(true);

      const stopped = logLines(run.stderr).find((l) => l.msg === 'collector stopped');
      expect(stopped).toMatchObject({ reason: 'SIGTERM', complete: true, unwrittenRows: 0 });
    } finally {
      c.child.kill('SIGKILL');
    }
  });

  it('stays healthy while the exchange is unreachable, and still stops at once on SIGTERM', async () => {
    const heartbeatFile = path.join(tmpDir('heartbeat'), 'hb.json');
    const env = containerEnv({ ...s3Env('run2', heartbeatFile), ENDPOINT_BINANCE: 'ws://127.0.0.1:9' });
    const c = startContainer(env);
    try {
      await until('the first heartbeat', () => readHeartbeat(heartbeatFile));
      expect(healthcheck(env).status).toBe(0);
      await until('a reconnect', () => (readHeartbeat(heartbeatFile)?.exchanges.binance.reconnects ?? 0) > 0 || undefined);
      const stopAt = Date.now();
      c.child.kill('SIGTERM');
      expect((await c.exited).code).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(5_000);
      expect(readHeartbeat(heartbeatFile)!.exchanges.binance).toMatchObject({ messages: 0, lastEventTime: null });
    } finally {
      c.child.kill('SIGKILL');
    }
  });
});

describe('the container health check', () => {
  const dir = () => tmpDir('hc');
  const write = (file: string, timeMs: number) => fs.writeFileSync(file, JSON.stringify({ timeMs }));

  it('passes on a fresh heartbeat and fails on a stale, missing or unreadable one', () => {
    const file = path.join(dir(), 'hb.json');
    const env = containerEnv({ HEARTBEAT_FILE: file });
    expect(healthcheck(env)).toEqual({ status: 1, out: expect.stringMatching(/^unhealthy: no readable heartbeat in .*ENOENT/) });
    write(file, Date.now() - 5_000);
    expect(healthcheck(env).status).toBe(0);
    write(file, Date.now() - 91_000);
    expect(healthcheck(env)).toEqual({
      status: 1,
      out: expect.stringMatching(/^unhealthy: heartbeat 9\d\.\d s old \(max 90 s\)$/),
    });
    expect(healthcheck({ ...env, HEARTBEAT_MAX_AGE_SECONDS: '300' }).status).toBe(0);
    expect(healthcheck({ ...env, HEARTBEAT_MAX_AGE_SECONDS: 'soon' })).toEqual({
      status: 1,
      out: expect.stringContaining('HEARTBEAT_MAX_AGE_SECONDS=soon'),
    });
    fs.writeFileSync(file, '{"timeMs": ');
    expect(healthcheck(env).status).toBe(1);
    fs.writeFileSync(file, '{"time": "2026-01-01T00:00:00Z"}');
    expect(healthcheck(env)).toEqual({ status: 1, out: expect.stringContaining('has no timeMs') });
  });
});

describe('a misconfigured container', () => {
  const sources = JSON.stringify([{ source: 'binance', symbols: ['BTCUSDT'] }]);
  it.each([
    ['no LAKE_URL', { SOURCES: sources }, 'LAKE_URL is not set'],
    ['SOURCES not JSON', { LAKE_URL: '/tmp/lake', SOURCES: 'binance:BTCUSDT' }, 'SOURCES is not valid JSON'],
    [
      'a misspelt key',
      { LAKE_URL: '/tmp/lake', SOURCES: '[{"source":"binance","symbol":["BTCUSDT"]}]' },
      'SOURCES[0] has unknown key(s) symbol',
    ],
    [
      'an unknown source',
      { LAKE_URL: '/tmp/lake', SOURCES: '[{"source":"coinbase","symbols":["BTCUSDT"]}]' },
      'SOURCES[0].source "coinbase" is not one of',
    ],
    [
      'a misspelt endpoint variable',
      { LAKE_URL: '/tmp/lake', SOURCES: sources, ENDPOINT_BINANCE_US: 'ws://x' },
      'ENDPOINT_BINANCE_US names no source',
    ],
    [
      'an S3 lake without a region',
      { LAKE_URL: 's3://bucket/lake/', SOURCES: sources },
      'no AWS region for the S3 lake: set AWS_REGION (or LAKE_REGION)',
    ],
  ])('%s: exits 2 with one JSON line saying what is wrong', async (_name, env, message) => {
    const heartbeatFile = path.join(tmpDir('hb'), 'hb.json');
    const run = await startContainer(containerEnv({ ...env, HEARTBEAT_FILE: heartbeatFile })).exited;
    expect(run.code).toBe(2);
    const lines = logLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60, component: 'collector-fargate' });
    expect(lines[0].msg).toContain(`invalid configuration: ${message}`);
    expect(run.stdout).toBe('');
    expect(fs.existsSync(heartbeatFile)).toBe(false);
  });
});
