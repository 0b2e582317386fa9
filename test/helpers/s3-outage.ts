import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { tmpDir } from './sample-rows';

/**
 * A real S3 API (s3rver in a child process, as in s3rver.ts) that can be stopped and started again on the same
 * port and data folder, to simulate "the object store is down for a while": while stopped, requests fail with
 * ECONNREFUSED; after start() the objects written before the outage are still there.
 *
 * It runs the same s3rver-server.js (with its listing fix) unchanged; only the port is pinned, by wrapping the
 * s3rver constructor before that script loads it.
 */
export interface RestartableS3 {
  endpoint: string;
  port: number;
  /** SDK client without its own retries (maxAttempts 1), so an outage shows at once. */
  client: S3Client;
  store(prefix?: string): S3ObjectStore;
  readonly running: boolean;
  /** Stops the server (the data folder stays). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const SERVER = path.join(__dirname, 's3rver-server.js');

// Loaded with `node -e`: pins the port of every S3rver the server script creates, then runs the script itself.
const BOOT = `
const path = require('node:path');
const server = process.env.S3_OUTAGE_SERVER;
const resolved = require.resolve('s3rver', { paths: [path.dirname(server)] });
const S3rver = require(resolved);
const port = Number(process.env.S3_OUTAGE_PORT);
class PinnedPort extends S3rver { constructor(o) { super({ ...o, port }); } }
require.cache[resolved].exports = PinnedPort;
process.argv = [process.argv[0], server, process.env.S3_OUTAGE_DIR, process.env.S3_OUTAGE_BUCKET];
require(server);
`;

function launch(dir: string, bucket: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', BOOT], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, S3_OUTAGE_SERVER: SERVER, S3_OUTAGE_PORT: String(port), S3_OUTAGE_DIR: dir, S3_OUTAGE_BUCKET: bucket },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ child, port: Number(out.trim()) });
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // SIGTERM closes the server gracefully; a keep-alive connection could hold that up, so SIGKILL after 0.5 s.
    const force = setTimeout(() => child.kill('SIGKILL'), 500);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startRestartableS3(bucket = 'lake'): Promise<RestartableS3> {
  const dir = tmpDir('s3rver-outage');
  const first = await launch(dir, bucket, 0);
  let child = first.child;
  const port = first.port;
  let running = true;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const stop = async () => {
    if (!running) return;
    running = false;
    await kill(child);
  };
  const start = async () => {
    if (running) return;
    // The port was just released; retry briefly in case the OS has not let go of it yet.
    for (let i = 0; ; i++) {
      try {
        ({ child } = await launch(dir, bucket, port));
        break;
      } catch (e) {
        if (i >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    running = true;
  };
  return {
    endpoint,
    port,
    client,
    store: (prefix = '') => new S3ObjectStore(client, bucket, prefix),
    get running() {
      return running;
    },
    stop,
    start,
    close: async () => {
      client.destroy();
      await stop();
    },
  };
}
