import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements for wildcard resources we grant on purpose (an S3 prefix, a log group's streams, a
 * function's versions). cdk-nag names each finding after the resource as CloudFormation sees it, with
 * references written `<LogicalId.Attribute>`; we compute that name from the same token, so the acknowledgement
 * follows the resource and names exactly one finding.
 */

type CfnValue = string | number | boolean | null | undefined | CfnValue[] | { [k: string]: CfnValue };

function flatten(node: CfnValue): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && !Array.isArray(node)) {
    if ('Fn::Join' in node) {
      const [delimiter, items] = node['Fn::Join'] as [string, CfnValue[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in node) return flatten(node['Fn::Sub']);
    if ('Fn::GetAtt' in node) {
      const [resource, attribute] = node['Fn::GetAtt'] as [CfnValue, CfnValue];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Fn::ImportValue' in node) return flatten(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** The `Resource::...` part of an AwsSolutions-IAM5 finding for `resource` (a string that may hold tokens). */
export function wildcardFindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource) as CfnValue)}]`;
}

export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  for (const resource of resources)
    if (resource.includes('*')) Validations.of(scope).acknowledge({ id: wildcardFindingId(scope, resource), reason });
}
