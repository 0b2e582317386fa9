import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addLakehouseStacks, dataRemovalWarning } from '../lib/cdk/app';

/**
 * The CDK app: the lake stack, plus one collector stack per collector group placed in another region.
 * Settings come from cdk.json context (see lib/cdk/config.ts); `npx cdk synth` needs no AWS account.
 */
const app = new App();
const { config } = addLakehouseStacks(app);
const warning = dataRemovalWarning(config);
if (warning) process.stderr.write(`${warning}\n`);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
