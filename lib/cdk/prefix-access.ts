import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege S3 access by lake prefix: object actions on `bucket/prefix*` only, and listing only with an
 * `s3:prefix` condition, instead of the bucket-wide grants of `bucket.grantRead()`.
 */

export interface PrefixAccess {
  read?: readonly string[];
  write?: readonly string[];
  /** Also allow deleting under the write prefixes (jobs that replace or retract partitions). */
  delete?: boolean;
}

export function prefixPolicyStatements(bucket: s3.IBucket, access: PrefixAccess): iam.PolicyStatement[] {
  const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  const statements: iam.PolicyStatement[] = [];
  const listable = [...new Set([...(access.read ?? []), ...(access.write ?? [])])];
  if (access.read?.length) {
    statements.push(new iam.PolicyStatement({ sid: 'ReadLakePrefixes', actions: ['s3:GetObject'], resources: objects(access.read) }));
  }
  if (listable.length && access.read?.length) {
    statements.push(new iam.PolicyStatement({
      sid: 'ListLakePrefixes', actions: ['s3:ListBucket'], resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': listable.flatMap((p) => [p, `${p}*`]) } },
    }));
  }
  if (access.write?.length) {
    statements.push(new iam.PolicyStatement({
      sid: 'WriteLakePrefixes',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', ...(access.delete ? ['s3:DeleteObject'] : [])],
      resources: objects(access.write),
    }));
  }
  return statements;
}

/** Adds the statements to the role's policy and acknowledges the prefix wildcards they need (and only those). */
export function grantPrefixes(role: iam.IRole & IConstruct, bucket: s3.IBucket, access: PrefixAccess): void {
  const statements = prefixPolicyStatements(bucket, access);
  for (const s of statements) role.addToPrincipalPolicy(s);
  acknowledgeWildcardResources(role, statements.flatMap((s) => s.resources),
    'Object access is limited to one lake prefix (bronze/, silver/, ...); the wildcard covers the partition keys below it.');
}
