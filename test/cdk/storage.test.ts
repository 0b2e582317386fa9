import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp, defaultTemplate } from './build-stack';

describe('storage construct', () => {
  const { template } = defaultTemplate();
  const lakeBucket = () => Object.entries(template.findResources('AWS::S3::Bucket')).find(([, b]) => b.Properties.BucketName)!;

  it('creates the lake bucket and a separate access-log bucket, both private, encrypted and versioned', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const [, lake] = lakeBucket();
    expect(lake.Properties.LoggingConfiguration).toMatchObject({
      LogFilePrefix: 'lake/',
      DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) },
    });
    expect(JSON.stringify(lake.Properties.BucketName)).toContain('crypto-lakehouse-');
  });

  it('enforces SSL on both buckets', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    }
  });

  it('expires Bronze and Athena results, tiers Silver and Gold, aborts uploads and expires old versions', () => {
    const rules = lakeBucket()[1].Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    const byId = Object.fromEntries(rules.map((r) => [r.Id, r]));
    expect(byId['expire-bronze']).toMatchObject({
      Prefix: 'bronze/',
      ExpirationInDays: 7,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      Status: 'Enabled',
    });
    expect(byId['expire-athena-results']).toMatchObject({ Prefix: 'athena-results/', ExpirationInDays: 7 });
    for (const layer of ['silver', 'gold']) {
      expect(byId[`intelligent-tiering-${layer}`]).toMatchObject({
        Prefix: `${layer}/`,
        Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }],
      });
    }
    expect(byId['abort-incomplete-uploads-and-expire-old-versions']).toMatchObject({
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
    });
    expect(rules.some((r) => r.Prefix === 'silver/' && r.ExpirationInDays)).toBe(false);
  });

  it('retains data on stack deletion unless destroyDataOnDelete is set', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const destroy = Template.fromStack(buildApp({ destroyDataOnDelete: true, bronzeRetentionDays: 3 }).lake);
    destroy.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    destroy.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-bronze', ExpirationInDays: 3 })]) },
    });
  });
});
