import { AsyncLocalStorage } from 'node:async_hooks';
import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, REGION, type ResolvedTemplate } from './template';

/**
 * S3 as AWS enforces it: every request an S3Client sends is evaluated, before it reaches the local server, against
 * the identity policies that the synthesized template gives the role the code runs as (a real IAM policy evaluator,
 * @cloud-copilot/iam-simulate). A denied request fails with the 403 AccessDenied S3 would send, and is recorded so
 * the test fails even when the code under test swallows the error. A read of a missing key answers 403, not 404,
 * when the role may not list the bucket without a prefix condition — what S3 documents for GetObject/HeadObject.
 * (docs/aws-rules.md describes the whole approach.)
 */

export interface S3Request {
  role: string;
  /** The SDK command (e.g. `UploadPartCommand`: several commands are authorized as one action). */
  command: string;
  action: string;
  resource: string;
  prefix?: string;
  allowed: boolean;
}

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

interface Evaluation {
  action: string;
  resource: string;
  context: Record<string, string>;
}

/** One role's identity policies, evaluated with a cache (the same request is asked many times by a job). */
export class RolePolicy {
  private readonly cache = new Map<string, Promise<Decision>>();

  constructor(
    readonly name: string,
    private readonly policies: { name: string; policy: unknown }[],
  ) {}

  static fromTemplate(t: ResolvedTemplate, roleId: string): RolePolicy {
    return new RolePolicy(roleId, t.rolePolicies(roleId));
  }

  decide(e: Evaluation): Promise<Decision> {
    const key = JSON.stringify(e);
    let d = this.cache.get(key);
    if (!d) {
      d = runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/${this.name}`,
            action: e.action,
            resource: { resource: e.resource, accountId: ACCOUNT },
            contextVariables: e.context,
          },
          identityPolicies: this.policies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      ).then((r) => {
        const result = (r as { overallResult?: Decision; errors?: unknown }).overallResult;
        if (!result) throw new Error(`iam-simulate could not evaluate ${JSON.stringify(e)}: ${JSON.stringify(r).slice(0, 500)}`);
        return result;
      });
      this.cache.set(key, d);
    }
    return d;
  }

  async allows(action: string, resource: string, context: Record<string, string> = {}): Promise<boolean> {
    return (await this.decide({ action, resource, context })) === 'Allowed';
  }
}

const currentRole = new AsyncLocalStorage<RolePolicy>();

/** Runs `fn` (and everything it starts) as `role`: its S3 requests are evaluated against that role's policies. */
export function asRole<T>(role: RolePolicy, fn: () => Promise<T>): Promise<T> {
  return currentRole.run(role, fn);
}

interface Input {
  Bucket?: string;
  Key?: string;
  Prefix?: string;
  VersionId?: string;
  CopySource?: string;
  Delete?: { Objects?: { Key?: string }[] };
}

/** The IAM requests an S3 API call is authorized as. */
function s3Requests(command: string, input: Input): Evaluation[] {
  const bucket = `arn:aws:s3:::${input.Bucket}`;
  const object = (key = input.Key) => `${bucket}/${key}`;
  switch (command) {
    case 'GetObjectCommand':
    case 'HeadObjectCommand':
      return [{ action: input.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: object(), context: {} }];
    case 'PutObjectCommand':
    case 'CreateMultipartUploadCommand':
    case 'UploadPartCommand':
    case 'CompleteMultipartUploadCommand':
      return [{ action: 's3:PutObject', resource: object(), context: {} }];
    case 'CopyObjectCommand':
      return [
        { action: 's3:PutObject', resource: object(), context: {} },
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::${decodeURIComponent(String(input.CopySource)).replace(/^\//, '')}`,
          context: {},
        },
      ];
    case 'AbortMultipartUploadCommand':
      return [{ action: 's3:AbortMultipartUpload', resource: object(), context: {} }];
    case 'ListPartsCommand':
      return [{ action: 's3:ListMultipartUploadParts', resource: object(), context: {} }];
    case 'DeleteObjectCommand':
      return [{ action: input.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: object(), context: {} }];
    case 'DeleteObjectsCommand':
      return (input.Delete?.Objects ?? []).map((o) => ({ action: 's3:DeleteObject', resource: object(o.Key), context: {} }));
    case 'ListObjectsV2Command':
    case 'ListObjectsCommand':
      return [
        { action: 's3:ListBucket', resource: bucket, context: input.Prefix !== undefined ? { 's3:prefix': input.Prefix } : {} },
      ];
    case 'ListObjectVersionsCommand':
      return [
        {
          action: 's3:ListBucketVersions',
          resource: bucket,
          context: input.Prefix !== undefined ? { 's3:prefix': input.Prefix } : {},
        },
      ];
    default:
      throw new Error(`the IAM gate does not know which IAM action ${command} needs: add it to test/aws/iam-gate.ts`);
  }
}

/**
 * The IAM requests a Glue Data Catalog call is authorized as: Glue checks the action on the catalog, the database
 * and the table (each ARN must be allowed).
 */
function glueRequests(
  command: string,
  input: { DatabaseName?: string; Name?: string; TableInput?: { Name?: string } },
): Evaluation[] {
  const actions: Record<string, string> = {
    GetTableCommand: 'glue:GetTable',
    UpdateTableCommand: 'glue:UpdateTable',
    GetTablesCommand: 'glue:GetTables',
  };
  const action = actions[command];
  if (!action)
    throw new Error(`the IAM gate does not know which IAM action Glue ${command} needs: add it to test/aws/iam-gate.ts`);
  const base = `arn:aws:glue:${REGION}:${ACCOUNT}`;
  const table = input.Name ?? input.TableInput?.Name;
  return [
    `${base}:catalog`,
    `${base}:database/${input.DatabaseName}`,
    ...(table ? [`${base}:table/${input.DatabaseName}/${table}`] : []),
  ].map((resource) => ({ action, resource, context: {} }));
}

const SERVICES = { s3: s3Requests, glue: glueRequests } as const;

/** The 403 S3 (or Glue) sends for a request IAM denies. */
function accessDenied(message: string): S3ServiceException {
  return new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message });
}

/** Every S3 request seen, per role, and the denied ones. */
export class RequestLog {
  /** Requests since the last `clear()`. */
  readonly requests: S3Request[] = [];
  /** Every request, `clear()` or not (for the summary). */
  private readonly history: S3Request[] = [];

  get denied(): S3Request[] {
    return this.requests.filter((r) => !r.allowed);
  }

  /** Distinct `action resource-pattern` lines of one role, keys shortened to their layer/dataset prefix. */
  summary(role: string): string[] {
    const shorten = (r: S3Request) => {
      if (r.prefix !== undefined) return `prefix ${r.prefix.split('/').slice(0, 2).join('/')}…`;
      if (r.resource.startsWith('arn:aws:s3:::')) return r.resource.split(':::')[1].split('/').slice(1, 3).join('/');
      return r.resource
        .split(':')
        .slice(5)
        .join(':')
        .replace(/table\/[^/]+\/.*/, 'table/<db>/<table>');
    };
    const all = [...this.history, ...this.requests];
    return [
      ...new Set(all.filter((r) => r.role === role).map((r) => `${r.action} ${shorten(r)}${r.allowed ? '' : ' DENIED'}`)),
    ].sort();
  }

  clear(): void {
    this.history.push(...this.requests);
    this.requests.length = 0;
  }
}

/**
 * Puts the gate in front of a client. Requests made outside `asRole` are refused: every request in a test that
 * uses the gate must be attributable to a role of the template.
 */
export function attachIamGate(
  client: { middlewareStack: { add: S3Client['middlewareStack']['add'] } },
  log: RequestLog,
  service: keyof typeof SERVICES = 's3',
): void {
  const requestsOf = SERVICES[service] as (command: string, input: unknown) => Evaluation[];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const role = currentRole.getStore();
      const command = String((context as { commandName?: string }).commandName);
      const input = args.input as Input;
      if (!role)
        throw new Error(
          `${service} ${command} ${input.Key ?? input.Prefix ?? ''} made outside asRole(): no role to evaluate it against`,
        );
      for (const e of requestsOf(command, input)) {
        const allowed = await role.allows(e.action, e.resource, e.context);
        log.requests.push({
          role: role.name,
          command,
          action: e.action,
          resource: e.resource,
          prefix: e.context['s3:prefix'],
          allowed,
        });
        if (!allowed)
          throw accessDenied(
            `${role.name} may not ${e.action} ` +
              `on ${e.resource}${e.context['s3:prefix'] !== undefined ? ` (prefix ${e.context['s3:prefix']})` : ''}`,
          );
      }
      try {
        return await next(args);
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        const read = service === 's3' && (command === 'GetObjectCommand' || command === 'HeadObjectCommand');
        // S3 reveals that a key is missing only to callers allowed to list the bucket (without a prefix condition).
        if (read && status === 404 && !(await role.allows('s3:ListBucket', `arn:aws:s3:::${input.Bucket}`))) {
          throw accessDenied(`missing key ${input.Key}, answered as S3 does to a caller that may not list the bucket`);
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'iamGate', override: true },
  );
}
