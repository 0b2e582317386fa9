import { createReadStream, promises as fs } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getExisting, NotFoundError, inNameRange, type NameRange, type ObjectInfo, type ObjectStore } from './object-store';
import { uploadObject, uploadSettings, type S3UploadOptions } from './s3-upload';

/**
 * An S3 bucket (optionally under a key prefix). A PUT, or the completion of a multipart upload for objects above
 * `multipartThresholdBytes` (lib/storage/s3-upload.ts), replaces an object atomically, which is how partitions are
 * swapped. Listing pages through ListObjectsV2 (1,000 keys a page).
 */
export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly localRoot = undefined;
  private readonly prefix: string;
  private readonly upload: Required<S3UploadOptions>;

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    prefix = '',
    upload: S3UploadOptions = {},
  ) {
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.url = `s3://${bucket}/${this.prefix}`;
    this.upload = uploadSettings(upload);
  }

  static fromUrl(url: string, config: S3ClientConfig = {}, upload: S3UploadOptions = {}): S3ObjectStore {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!match) throw new Error(`not an s3:// URL: ${url}`);
    return new S3ObjectStore(new S3Client(config), match[1], match[2], upload);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  get(key: string): Promise<Uint8Array> {
    return getExisting(this, key);
  }

  async tryGet(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isNotFound(err) || (isForbidden(err) && !(await this.listed(key)))) return undefined;
      throw err;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array();
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.k(key), Range: `bytes=${start}-${end - 1}` }),
      );
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(key, this.url);
      throw err;
    }
  }

  /**
   * Whether the key shows in a listing of its own name. S3 answers a read of a missing key with 403 rather than
   * 404 when the caller may not list the bucket unconditionally — our roles may list only under their prefixes
   * (docs/aws-rules.md) — so a 403 means "missing" only if a listing that the role is allowed confirms it.
   */
  private async listed(key: string): Promise<boolean> {
    const response = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.k(key), MaxKeys: 1 }));
    return response.Contents?.[0]?.Key === this.k(key);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    await uploadObject(
      this.client,
      { Bucket: this.bucket, Key: this.k(key), Body: bytes, ContentLength: bytes.byteLength },
      this.upload,
    );
  }

  async putFile(key: string, path: string): Promise<void> {
    const { size } = await fs.stat(path);
    await uploadObject(
      this.client,
      { Bucket: this.bucket, Key: this.k(key), Body: createReadStream(path), ContentLength: size },
      this.upload,
    );
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const pages = paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: this.k(prefix) });
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0, lastModified: object.LastModified };
      }
    }
  }

  async listPrefixes(prefix: string, range?: NameRange): Promise<string[]> {
    const out: string[] = [];
    // StartAfter is exclusive and `${prefix}${from}` sorts before `${prefix}${from}/`, so `from` itself is listed.
    const startAfter = range?.from !== undefined ? this.k(prefix + range.from) : undefined;
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: this.k(prefix), Delimiter: '/', StartAfter: startAfter },
    );
    for await (const page of pages) {
      let past = false;
      for (const common of page.CommonPrefixes ?? []) {
        if (!common.Prefix) continue;
        const key = common.Prefix.slice(this.prefix.length);
        const name = key.slice(prefix.length, -1);
        if (range?.to !== undefined && name > range.to) past = true;
        else if (inNameRange(name, range)) out.push(key);
      }
      // Listings come in key order: once past the range, later pages cannot hold anything in it.
      if (past) break;
    }
    return out.sort();
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err) || (isForbidden(err) && !(await this.listed(key)))) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
  }
}

function isNotFound(error: unknown): boolean {
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

function isForbidden(error: unknown): boolean {
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'AccessDenied' || err?.name === 'Forbidden' || err?.$metadata?.httpStatusCode === 403;
}
