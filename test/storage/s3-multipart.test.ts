import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { DEFAULT_MULTIPART_THRESHOLD_BYTES, DEFAULT_PART_SIZE_BYTES, uploadSettings } from '../../lib/storage/s3-upload';
import { tmpDir } from '../helpers/sample-rows';
import { startS3, type LocalS3 } from '../helpers/s3rver';

/**
 * Objects above the store's threshold go up as S3 multipart uploads (lib/storage/s3-upload.ts), against s3rver. Parts
 * are S3's real minimum, 5 MiB: these tests do not lower lib-storage's check, so they hold what AWS would accept.
 */

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const TIMEOUT = 60_000;

interface Sent {
  command: string;
  part?: number;
  bytes?: number;
}

/** Deterministic bytes that do not repeat per part (a part swapped or dropped changes the digest). */
function bytesOf(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i += 4) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out.writeUInt32LE(x, Math.min(i, size - 4));
  }
  return out;
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('S3 multipart uploads (s3rver on 127.0.0.1)', () => {
  let s3: LocalS3;
  let store: S3ObjectStore;
  const sent: Sent[] = [];
  /** When set, fails the UploadPart of this part number once, as a dropped connection would. */
  let failPart: number | undefined;

  beforeAll(async () => {
    s3 = await startS3();
    s3.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String((context as { commandName?: string }).commandName);
        const input = args.input as { PartNumber?: number; Body?: unknown };
        const body = input.Body instanceof Uint8Array ? input.Body.byteLength : undefined;
        sent.push({ command, ...(input.PartNumber !== undefined ? { part: input.PartNumber, bytes: body } : {}) });
        if (command === 'UploadPartCommand' && input.PartNumber === failPart) {
          failPart = undefined;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    store = new S3ObjectStore(s3.client, 'lake', 'mp', { multipartThresholdBytes: 6 * MiB, partSizeBytes: PART });
  }, TIMEOUT);
  afterAll(async () => {
    await s3?.close();
  });
  beforeEach(() => {
    sent.length = 0;
    failPart = undefined;
  });

  const commands = () => sent.map((s) => s.command);
  const pendingUploads = async () =>
    (await s3.client.send(new ListMultipartUploadsCommand({ Bucket: 'lake' }))).Uploads?.map((u) => u.Key) ?? [];

  it(
    'uploads a file above the threshold in 5 MiB parts and reads it back equal',
    async () => {
      const size = 12 * MiB + 123;
      const src = path.join(tmpDir('multipart'), 'day.parquet');
      const bytes = bytesOf(size, 1);
      await fs.writeFile(src, bytes);
      await store.putFile('bronze/day.parquet', src);
      expect(commands()).toEqual([
        'CreateMultipartUploadCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'UploadPartCommand',
        'CompleteMultipartUploadCommand',
      ]);
      expect(sent.filter((s) => s.part !== undefined).sort((a, b) => a.part! - b.part!)).toEqual([
        { command: 'UploadPartCommand', part: 1, bytes: PART },
        { command: 'UploadPartCommand', part: 2, bytes: PART },
        { command: 'UploadPartCommand', part: 3, bytes: size - 2 * PART },
      ]);
      const back = await store.get('bronze/day.parquet');
      expect(back.byteLength).toBe(size);
      expect(digest(back)).toBe(digest(bytes));
      expect(await pendingUploads()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'puts bytes above the threshold in parts too, and anything up to it in one PutObject',
    async () => {
      const big = bytesOf(11 * MiB, 2);
      await store.put('silver/big.parquet', big);
      expect(commands().filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
      expect(digest(await store.get('silver/big.parquet'))).toBe(digest(big));

      sent.length = 0;
      const atThreshold = bytesOf(6 * MiB, 3);
      await store.put('silver/edge.parquet', atThreshold);
      const src = path.join(tmpDir('multipart'), 'small.bin');
      await fs.writeFile(src, bytesOf(300_000, 4));
      await store.putFile('silver/small.bin', src);
      expect(commands().filter((c) => c !== 'GetObjectCommand')).toEqual(['PutObjectCommand', 'PutObjectCommand']);
      expect(digest(await store.get('silver/edge.parquet'))).toBe(digest(atThreshold));
      expect((await store.get('silver/small.bin')).byteLength).toBe(300_000);
    },
    TIMEOUT,
  );

  it(
    'aborts the upload when a part fails: the error is the part’s, no parts are left, the old object stays whole',
    async () => {
      const src = path.join(tmpDir('multipart'), 'day.parquet');
      await fs.writeFile(src, bytesOf(12 * MiB, 5));
      await store.put('bronze/replaced.parquet', 'the previous day object');
      sent.length = 0;
      failPart = 2;
      await expect(store.putFile('bronze/replaced.parquet', src)).rejects.toThrow('socket hang up');
      expect(commands()[0]).toBe('CreateMultipartUploadCommand');
      expect(commands()).toContain('AbortMultipartUploadCommand');
      expect(commands()).not.toContain('CompleteMultipartUploadCommand');
      expect(await pendingUploads()).toEqual([]);
      expect(Buffer.from(await store.get('bronze/replaced.parquet')).toString()).toBe('the previous day object');
    },
    TIMEOUT,
  );

  it('defaults to parts of 16 MiB above 64 MiB, and refuses sizes that are not positive whole numbers', () => {
    expect(uploadSettings()).toEqual({ multipartThresholdBytes: 64 * MiB, partSizeBytes: 16 * MiB });
    expect([DEFAULT_MULTIPART_THRESHOLD_BYTES, DEFAULT_PART_SIZE_BYTES]).toEqual([64 * MiB, 16 * MiB]);
    expect(() => uploadSettings({ partSizeBytes: 0 })).toThrow('partSizeBytes must be a positive whole number, not 0');
    expect(() => new S3ObjectStore(s3.client, 'lake', '', { multipartThresholdBytes: 1.5 })).toThrow('multipartThresholdBytes');
  });
});
