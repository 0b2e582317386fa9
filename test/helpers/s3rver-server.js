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
server.run().then(({ port }) => process.stdout.write(`${port}\n`));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
