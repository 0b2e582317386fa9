import type { App } from 'aws-cdk-lib';
import { CollectorStack } from './collector-stack';
import { enabledGroups, readConfig, type LakehouseConfig } from './config';
import { LakehouseStack } from './lakehouse-stack';

/**
 * The stacks of the CDK app, built from the app's context. bin/app.ts and the tests share this, so the tests
 * assert the templates `cdk deploy` deploys.
 */

export interface LakehouseApp {
  readonly config: LakehouseConfig;
  readonly lake: LakehouseStack;
  /** One per collector group placed in another region than the lake. */
  readonly collectors: readonly CollectorStack[];
}

export function addLakehouseStacks(app: App): LakehouseApp {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const lake = new LakehouseStack(app, 'CryptoLakehouse', {
    config,
    env: config.lakeRegion ? { region: config.lakeRegion } : undefined,
    description: 'crypto-lakehouse: lake, catalog, jobs, monitoring',
  });
  const collectors = enabledGroups(config)
    .filter((g) => g.region)
    .map(
      (group) =>
        new CollectorStack(app, `CryptoLakehouse-Collector-${group.name}`, {
          config,
          group,
          env: { region: group.region },
          description: `crypto-lakehouse collector ${group.name}`,
        }),
    );
  return { config, lake, collectors };
}

/**
 * What synth says on stderr when the removal switch is on. It goes to the terminal, not into the cloud assembly as
 * an annotation: `cdk synth` treats annotation warnings as defects, and this one is a deliberate choice to confirm.
 */
export function dataRemovalWarning(config: LakehouseConfig): string | undefined {
  if (!config.destroyDataOnDelete) return undefined;
  const bucket = `${config.lakeName}-<account>-${config.lakeRegion || '<region>'}`;
  return [
    `WARNING: destroyDataOnDelete is on. \`cdk destroy\` will empty and delete the lake bucket ${bucket} (every layer and`,
    '  every object version) and its access-log bucket, drop the Glue database and delete every log group. This cannot be undone.',
    '  Leave destroyDataOnDelete off (the default) to keep them.',
  ].join('\n');
}
