import { spawn } from 'node:child_process';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { tmpDir } from './sample-rows';

export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  store(prefix?: string): S3ObjectStore;
  close(): Promise<void>;
}

/** A real S3 API (s3rver, in a child process) on 127.0.0.1 with one bucket, for the S3 code paths. */
export async function startS3(bucket = 'lake'): Promise<LocalS3> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', path.join(__dirname, 's3rver-server.js'), tmpDir('s3rver'), bucket],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default aws-chunked uploads with trailing checksums and would store the chunk framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    store: (prefix = '') => new S3ObjectStore(client, bucket, prefix),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
