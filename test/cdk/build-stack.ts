import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addLakehouseStacks } from '../../lib/cdk/app';
import type { LakehouseConfig } from '../../lib/cdk/config';
import type { LakehouseStack } from '../../lib/cdk/lakehouse-stack';

/** cdk.json's context: our settings, and the feature flags that change what constructs render. */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../cdk.json'), 'utf8'),
).context;

/**
 * The app as `cdk deploy` builds it (bin/app.ts's stacks, cdk.json's context), with `overrides` given as `-c` would
 * give them. Lambda bundling is skipped (a placeholder asset) to keep tests fast; test/cdk/cdk-synth.test.ts runs
 * the real `cdk synth` with bundling.
 */
export function buildApp(overrides: Partial<LakehouseConfig> = {}, opts: { nag?: boolean; bundle?: boolean } = {}) {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, ...overrides, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const { config, lake, collectors } = addLakehouseStacks(app);
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, lake, collectors };
}

let cached: { template: Template; stack: LakehouseStack } | undefined;

/** The default stack's template, synthesized once per test file. */
export function defaultTemplate(): { template: Template; stack: LakehouseStack } {
  if (!cached) {
    const { lake } = buildApp({ alarmEmail: 'ops@example.com' });
    cached = { template: Template.fromStack(lake), stack: lake };
  }
  return cached;
}

/** Statements of the IAM policies attached to a role whose logical id starts with `rolePrefix`. */
export function policyStatements(
  template: Template,
  roleLogicalIdPrefix: string,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(roleLogicalIdPrefix));
  if (roles.length !== 1) throw new Error(`expected one role ${roleLogicalIdPrefix}*, found ${roles.join(', ')}`);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** A resource reference or Fn::Join rendered to text, e.g. `<Bucket.Arn>/bronze/*`. */
export function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (o.Ref) return `<${o.Ref as string}>`;
  return JSON.stringify(v);
}
