import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege S3 access by lake prefix: object actions on `bucket/prefix*` only, and listing only with an
 * `s3:prefix` condition, instead of the bucket-wide grants of `bucket.grantRead()`.
 */

export interface PrefixAccess {
  /** `s3:GetObject` under these prefixes. */
  readonly read?: readonly string[];
  /** `s3:ListBucket` with an `s3:prefix` condition: where the job discovers partitions or files. */
  readonly list?: readonly string[];
  /** `s3:PutObject` under these prefixes. */
  readonly write?: readonly string[];
  /** `s3:DeleteObject` under these prefixes (jobs that retract a file they no longer produce). */
  readonly delete?: readonly string[];
  /** `s3:AbortMultipartUpload` under the write prefixes: only for jobs that upload in parts. */
  readonly multipart?: boolean;
}

export function prefixPolicyStatements(bucket: s3.IBucket, access: PrefixAccess): iam.PolicyStatement[] {
  const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  const statements: iam.PolicyStatement[] = [];
  if (access.read?.length) {
    statements.push(
      new iam.PolicyStatement({ sid: 'ReadLakePrefixes', actions: ['s3:GetObject'], resources: objects(access.read) }),
    );
  }
  if (access.list?.length) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ListLakePrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': access.list.flatMap((p) => [p, `${p}*`]) } },
      }),
    );
  }
  if (access.write?.length) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WriteLakePrefixes',
        actions: ['s3:PutObject', ...(access.multipart ? ['s3:AbortMultipartUpload'] : [])],
        resources: objects(access.write),
      }),
    );
  }
  if (access.delete?.length) {
    statements.push(
      new iam.PolicyStatement({ sid: 'DeleteLakePrefixes', actions: ['s3:DeleteObject'], resources: objects(access.delete) }),
    );
  }
  return statements;
}

/** Adds the statements to the role's policy and acknowledges the prefix wildcards they need (and only those). */
export function grantPrefixes(role: iam.IRole & IConstruct, bucket: s3.IBucket, access: PrefixAccess): void {
  const statements = prefixPolicyStatements(bucket, access);
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  acknowledgeWildcardResources(
    role,
    statements.flatMap((s) => s.resources),
    'Object access is limited to one lake prefix (bronze/, silver/, ...); the wildcard covers the partition keys below it.',
  );
}
