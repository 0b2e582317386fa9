import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { LakeCatalog } from './catalog';
import type { JobFunction } from './job-function';

/**
 * What the catalog job (lambdas/catalog.ts) needs besides its lake listing: GetTable and UpdateTable on this
 * database's tables only, its settings, and a run right after every deployment of the stack. CloudFormation
 * owns the tables: a deployment that changes one writes the template's parameters back, so the symbols and
 * exchanges the job added would vanish from Athena until its next run; the run on the stack's
 * CREATE_COMPLETE/UPDATE_COMPLETE event shortens that to about a minute.
 */

export interface CatalogSyncSettings {
  /** The Glue database and tables the job keeps in step with the lake. */
  readonly catalog: LakeCatalog;
  /** Projected before the lake holds them: the configured exchanges and path-safe symbols. */
  readonly exchanges: readonly string[];
  readonly symbols: readonly string[];
  /** EventBridge Scheduler expression of the regular run. */
  readonly schedule: string;
}

/** The job's environment (lambdas/catalog.ts, lambdas/shared/glue.ts). */
export function catalogSyncEnvironment(settings: CatalogSyncSettings): Record<string, string> {
  return {
    GLUE_DATABASE: settings.catalog.database.databaseName,
    PROJECTED_EXCHANGES: settings.exchanges.join(','),
    PROJECTED_SYMBOLS: settings.symbols.join(','),
  };
}

export class CatalogSync extends Construct {
  readonly afterDeploy: events.Rule;

  constructor(scope: Construct, id: string, job: JobFunction, settings: CatalogSyncSettings) {
    super(scope, id);
    // Glue authorizes a table call against the catalog, the database and the table: all three are named, no wildcard.
    job.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UpdateTableProjection',
        actions: ['glue:GetTable', 'glue:UpdateTable'],
        resources: [
          settings.catalog.database.catalog.catalogArn,
          settings.catalog.database.databaseArn,
          ...[...settings.catalog.tables.values()].map((t) => t.tableArn),
        ],
      }),
    );
    this.afterDeploy = new events.Rule(this, 'AfterDeploy', {
      description: 'Catalog job after each deployment: a changed table comes back with only the configured symbols',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: { 'stack-id': [Stack.of(this).stackId], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
      },
      targets: [new eventTargets.LambdaFunction(job.fn, { retryAttempts: 2 })],
    });
  }
}
