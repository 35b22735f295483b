'use strict';
// Starts s3rver for the s3flash tests on 127.0.0.1, with the tests' access key besides s3rver's own.
// Usage: node start.js DIRECTORY PORT ACCESS_KEY_ID SECRET_ACCESS_KEY [BUCKET...]
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

const [directory, port, accessKeyId, secretAccessKey, ...buckets] = process.argv.slice(2);
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
new S3rver({
  directory,
  address: '127.0.0.1',
  port: Number(port),
  silent: true,
  configureBuckets: buckets.map(name => ({ name, configs: [] })),
})
  .run()
  .then(() => console.log('s3rver listening on 127.0.0.1:' + port))
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
