// Runs s3rver on 127.0.0.1 and prints its port. Started in its own process with --openssl-legacy-provider:
// s3rver encrypts listing continuation tokens with DES, which OpenSSL 3 disables by default, and that switch
// should not leak into the process under test.
const S3rver = require('s3rver');

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(({ port }) => process.stdout.write(`${port}\n`));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
