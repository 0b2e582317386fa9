// Runs s3rver on 127.0.0.1 and prints its port. Started in its own process with --openssl-legacy-provider:
// s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 disables by default, and that switch
// should not leak into the process under test.
const S3rver = require('s3rver');

// s3rver 3.7.1 answers a delimiter listing (ListObjectsV2 with Delimiter='/', our listPrefixes) by walking the
// bucket folder but never descends more than one folder below the prefix, so a common prefix whose objects all
// sit deeper (every Hive partition level: bronze/klines/timeframe=1m/...) is missing from the answer. Here the
// listing walks everything under the prefix without the delimiter and groups the keys itself, as S3 does.
// Delimiter listings are answered in one page (enough for test lakes).
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const listObjects = FilesystemStore.prototype.listObjects;

FilesystemStore.prototype.listObjects = async function listObjectsGrouped(bucket, options) {
  const { delimiter, prefix = '' } = options;
  if (!delimiter) return listObjects.call(this, bucket, options);
  const all = await listObjects.call(this, bucket, { ...options, delimiter: '', maxKeys: Infinity });
  const commonPrefixes = new Set();
  const objects = [];
  for (const o of all.objects) {
    const idx = o.key.slice(prefix.length).indexOf(delimiter);
    if (idx === -1) objects.push(o);
    else commonPrefixes.add(o.key.slice(0, prefix.length + idx + 1));
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
};

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });

// s3rver 3.7.1 stores multipart uploads but has no AbortMultipartUpload (DELETE ?uploadId) nor ListMultipartUploads
// (GET ?uploads). Both are answered here, before its router, from the folder it keeps each upload in (which holds
// the upload's key), so tests see a failed upload aborted and nothing left behind.
const fs = require('node:fs/promises');
const path = require('node:path');
const S3Error = require('s3rver/lib/models/error');

const uploadsOf = (name) => server.store.getResourcePath(name, undefined, 'uploads');
const uploadKey = (name, uploadId) =>
  fs
    .readFile(path.join(uploadsOf(name), uploadId, 'key'), 'utf8')
    .catch((err) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));

async function multipartUploads(ctx, next) {
  const [, name, ...rest] = ctx.path.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  if (ctx.method === 'DELETE' && key && typeof ctx.query.uploadId === 'string') {
    const uploadId = ctx.query.uploadId;
    if (!/^[0-9a-f]+$/.test(uploadId) || (await uploadKey(name, uploadId)) !== key)
      throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    await fs.rm(path.join(uploadsOf(name), uploadId), { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'GET' && !key && 'uploads' in ctx.query) {
    const ids = await fs.readdir(uploadsOf(name)).catch((err) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    const uploads = [];
    for (const uploadId of ids.sort()) uploads.push({ Key: await uploadKey(name, uploadId), UploadId: uploadId });
    ctx.body = { ListMultipartUploadsResult: { Bucket: name, IsTruncated: false, Upload: uploads.filter((u) => u.Key) } };
    return;
  }
  await next();
}
// Koa composes its middleware when the server starts: the router is the last entry.
server.middleware.splice(server.middleware.length - 1, 0, multipartUploads);
server.run().then(({ port }) => process.stdout.write(`${port}\n`));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
