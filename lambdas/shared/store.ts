import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../lib/storage/object-store';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { UserError } from '../../lib/util/errors';

/**
 * The lake every handler works on: `LAKE_URL=s3://bucket/prefix/`; `LAKE_REGION` when the bucket is in another
 * region than the function (the self-heal runs where its exchange serves). `S3_ENDPOINT` points the SDK at an
 * S3-compatible server instead of AWS (tests with s3rver, MinIO); it is never set in AWS.
 *
 * The store is kept for the life of the execution environment, so warm invocations reuse the client's
 * connections; it is rebuilt only if the variables change (tests run several lakes in one process).
 */

let cached: { id: string; store: ObjectStore } | undefined;

export function lakeStore(env: NodeJS.ProcessEnv = process.env): ObjectStore {
  const url = env.LAKE_URL?.trim();
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (!url) throw new UserError('LAKE_URL is not set (expected s3://bucket/prefix/)');
  // A Lambda has no lasting disk: a folder lake would be lost with the execution environment.
  if (!/^s3:\/\/[^/]+/.test(url)) throw new UserError(`LAKE_URL '${url}' is not an s3://bucket/prefix/ URL`);
  const id = `${url}|${endpoint ?? ''}`;
  const region = env.LAKE_REGION?.trim() || undefined;
  if (cached?.id !== id)
    cached = { id, store: S3ObjectStore.fromUrl(url, endpoint ? localS3Config(endpoint, env) : region ? { region } : {}) };
  return cached.store;
}

function localS3Config(endpoint: string, env: NodeJS.ProcessEnv): S3ClientConfig {
  return {
    endpoint,
    forcePathStyle: true,
    // Local servers ignore the region, but the SDK will not sign a request without one.
    region: env.AWS_REGION || 'us-east-1',
    // s3rver predates the SDK's default aws-chunked uploads with trailing checksums and would store the framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  };
}
