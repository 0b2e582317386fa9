import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * How an object goes up to S3: one PutObject up to a threshold, a multipart upload above it. In parts, a dropped
 * connection costs one part, not the whole object (a Bronze day object of a liquid symbol's monthly trades file is
 * 1–3 GB: docs/scaling.md, "History load"), and S3 refuses a single PUT above 5 GB.
 */

const MiB = 1024 * 1024;

export interface S3UploadOptions {
  /**
   * Objects larger than this many bytes go up in parts.
   * @default 64 MiB
   */
  readonly multipartThresholdBytes?: number;
  /**
   * Bytes in each part but the last. S3 requires at least 5 MiB (except the last part) and at most 10,000 parts:
   * 16 MiB parts reach 156 GiB.
   * @default 16 MiB
   */
  readonly partSizeBytes?: number;
}

export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 64 * MiB;
export const DEFAULT_PART_SIZE_BYTES = 16 * MiB;
/** Parts sent at once; memory holds this many parts of the object (64 MiB at the default size). */
const PARTS_IN_FLIGHT = 4;

export interface UploadParams {
  Bucket: string;
  Key: string;
  Body: Uint8Array | Readable;
  ContentLength: number;
}

/** The options with their defaults, checked: a size that is not a positive whole number is a programming error. */
export function uploadSettings(options: S3UploadOptions = {}): Required<S3UploadOptions> {
  const settings = {
    multipartThresholdBytes: options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD_BYTES,
    partSizeBytes: options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`S3 upload ${name} must be a positive whole number, not ${value}`);
  }
  return settings;
}

export async function uploadObject(client: S3Client, params: UploadParams, settings: Required<S3UploadOptions>): Promise<void> {
  if (params.ContentLength <= settings.multipartThresholdBytes) {
    await client.send(new PutObjectCommand(params));
    return;
  }
  await uploadInParts(client, params, settings.partSizeBytes);
}

/**
 * A multipart upload; on failure the upload is aborted so its parts stop being billed. The abort is sent here
 * rather than by lib-storage (`leavePartsOnError: false`), which would throw the abort's own error in place of the
 * upload's: only roles that upload big objects on purpose may abort (the history file Lambda, docs/aws-rules.md),
 * and another role's failure must still say why it failed. An abort that fails is attached as the error's cause;
 * the bucket's lifecycle rule removes the parts a day later (lib/cdk/secure-bucket.ts).
 */
async function uploadInParts(client: S3Client, params: UploadParams, partSize: number): Promise<void> {
  const upload = new Upload({ client, params, partSize, queueSize: PARTS_IN_FLIGHT, leavePartsOnError: true });
  try {
    await upload.done();
  } catch (err) {
    if (upload.uploadId) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: upload.uploadId }));
      } catch (abortError) {
        if (err instanceof Error && err.cause === undefined) err.cause = abortError;
      }
    }
    throw err;
  }
}
