import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { enabledGroups, readConfig } from '../lib/cdk/config';
import { CollectorStack } from '../lib/cdk/collector-stack';
import { LakehouseStack } from '../lib/cdk/lakehouse-stack';

/**
 * The CDK app: the lake stack, plus one collector stack per collector group placed in another region.
 * Settings come from cdk.json context (see lib/cdk/config.ts); `npx cdk synth` needs no AWS account.
 */
const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));
const lakeEnv = config.lakeRegion ? { region: config.lakeRegion } : undefined;

new LakehouseStack(app, 'CryptoLakehouse', { config, env: lakeEnv, description: 'crypto-lakehouse: lake, catalog, jobs, monitoring' });
for (const group of enabledGroups(config).filter((g) => g.region)) {
  new CollectorStack(app, `CryptoLakehouse-Collector-${group.name}`, { config, group, env: { region: group.region }, description: `crypto-lakehouse collector ${group.name}` });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
