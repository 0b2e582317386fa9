import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_CONFIG, enabledGroups, validateConfig, type LakehouseConfig } from '../../lib/cdk/config';
import { CollectorStack } from '../../lib/cdk/collector-stack';
import { LakehouseStack } from '../../lib/cdk/lakehouse-stack';

/**
 * The app as bin/app.ts builds it, for assertions. Lambda bundling is skipped (a placeholder asset) to keep
 * tests fast; test/cdk/cdk-synth.test.ts runs the real `cdk synth` with bundling.
 */
export function buildApp(overrides: Partial<LakehouseConfig> = {}, opts: { nag?: boolean; bundle?: boolean; context?: Record<string, unknown> } = {}) {
  const app = new App({ context: { ...opts.context, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const config = validateConfig({ ...DEFAULT_CONFIG, ...overrides });
  const lake = new LakehouseStack(app, 'CryptoLakehouse', { config, env: config.lakeRegion ? { region: config.lakeRegion } : undefined });
  const collectors = enabledGroups(config).filter((g) => g.region)
    .map((group) => new CollectorStack(app, `CryptoLakehouse-Collector-${group.name}`, { config, group, env: { region: group.region } }));
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
export function policyStatements(template: Template, roleLogicalIdPrefix: string): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(roleLogicalIdPrefix));
  if (roles.length !== 1) throw new Error(`expected one role ${roleLogicalIdPrefix}*, found ${roles.join(', ')}`);
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** A resource reference or Fn::Join rendered to text, e.g. `<Bucket.Arn>/bronze/*`. */
export function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (o['Fn::Join']) { const [sep, parts] = o['Fn::Join'] as [string, unknown[]]; return parts.map(render).join(sep); }
  if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if (o.Ref) return `<${o.Ref as string}>`;
  return JSON.stringify(v);
}
