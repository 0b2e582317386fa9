import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../lib/storage/object-store';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import type { S3UploadOptions } from '../../lib/storage/s3-upload';
import { UserError } from '../../lib/util/errors';

/**
 * The lake every handler works on: `LAKE_URL=s3://bucket/prefix/`; `LAKE_REGION` when the bucket is in another
 * region than the function (the self-heal runs where its exchange serves). `S3_ENDPOINT` points the SDK at an
 * S3-compatible server instead of AWS (tests with s3rver, MinIO); it is never set in AWS.
 * `S3_MULTIPART_THRESHOLD_BYTES` and `S3_MULTIPART_PART_BYTES` change when and in what parts objects go up in a
 * multipart upload (lib/storage/s3-upload.ts; the stack sets neither, so the defaults hold: above 64 MiB, in 16 MiB
 * parts); tests set small values to run the multipart path with small objects.
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
  const upload = uploadOptions(env);
  const id = `${url}|${endpoint ?? ''}|${upload.multipartThresholdBytes ?? ''}|${upload.partSizeBytes ?? ''}`;
  const region = env.LAKE_REGION?.trim() || undefined;
  if (cached?.id !== id)
    cached = {
      id,
      store: S3ObjectStore.fromUrl(url, endpoint ? localS3Config(endpoint, env) : region ? { region } : {}, upload),
    };
  return cached.store;
}

function uploadOptions(env: NodeJS.ProcessEnv): S3UploadOptions {
  const bytes = (name: string) => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    if (!/^[1-9]\d*$/.test(text)) throw new UserError(`${name} '${text}' is not a positive whole number of bytes`);
    return Number(text);
  };
  return { multipartThresholdBytes: bytes('S3_MULTIPART_THRESHOLD_BYTES'), partSizeBytes: bytes('S3_MULTIPART_PART_BYTES') };
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
