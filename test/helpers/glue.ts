import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GlueClientConfig } from '@aws-sdk/client-glue';
import type { Template } from 'aws-cdk-lib/assertions';
import { MissingTableError, type TableCatalog } from '../../lib/catalog/table-catalog';
import { enumValues, projectionParameters } from '../../lib/schema/derive/glue-projection';
import { allDatasets, tableName } from '../../lib/schema/registry';
import { render } from '../cdk/build-stack';

/**
 * A stand-in for the Glue Data Catalog's GetTable and UpdateTable on 127.0.0.1, spoken to by the real
 * `@aws-sdk/client-glue` (JSON 1.1 protocol), so the SDK's own serialization of our requests is what it checks.
 * Like Glue, UpdateTable replaces the whole table with its TableInput, refuses a stale VersionId with
 * ConcurrentModificationException, and answers an unknown table with EntityNotFoundException.
 */

export type StoredTable = Record<string, unknown> & { Name: string; Parameters: Record<string, string> };

export interface GlueCall {
  op: string;
  body: Record<string, unknown>;
}

export interface FakeGlue {
  /** Client settings that reach this server (and sign with dummy credentials). */
  readonly config: GlueClientConfig;
  readonly endpoint: string;
  readonly calls: GlueCall[];
  table(name: string): StoredTable & { VersionId: string };
  parameters(name: string): Record<string, string>;
  /** Back to the seeded tables, versions at 1, calls cleared. */
  reset(): void;
  drop(name: string): void;
  /** Runs once, when the next UpdateTable of `name` arrives, before it is applied (a concurrent writer). */
  beforeNextUpdate(name: string, change: (t: StoredTable) => void): void;
  close(): Promise<void>;
}

/** Fields of a TableInput (UpdateTable) as the Glue API reference lists them. */
const TABLE_INPUT_FIELDS = new Set([
  'Name',
  'Description',
  'Owner',
  'LastAccessTime',
  'LastAnalyzedTime',
  'Retention',
  'StorageDescriptor',
  'PartitionKeys',
  'ViewOriginalText',
  'ViewExpandedText',
  'TableType',
  'Parameters',
  'TargetTable',
  'ViewDefinition',
]);

export async function startGlue(databaseName: string, seed: readonly StoredTable[]): Promise<FakeGlue> {
  let tables = new Map<string, StoredTable & { VersionId: string }>();
  const hooks = new Map<string, (t: StoredTable) => void>();
  const calls: GlueCall[] = [];
  const reset = () => {
    tables = new Map(seed.map((t) => [t.Name, { ...structuredClone(t), VersionId: '1' }]));
    hooks.clear();
    calls.length = 0;
  };
  reset();

  const fail = (res: http.ServerResponse, type: string, message: string) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: type, Message: message }));
  };
  const answer = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      calls.push({ op, body });
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
        return fail(res, 'SerializationException', 'not JSON 1.1');
      }
      if (body.DatabaseName !== databaseName) {
        return fail(res, 'EntityNotFoundException', `Database ${String(body.DatabaseName)} not found.`);
      }
      if (op === 'GetTable') {
        const t = tables.get(String(body.Name));
        if (!t) return fail(res, 'EntityNotFoundException', `Table ${String(body.Name)} not found.`);
        // Read-only fields as Glue adds them: a TableInput must not carry them back.
        const readOnly = { DatabaseName: databaseName, CreateTime: 1_700_000_000, IsRegisteredWithLakeFormation: false };
        return answer(res, { Table: { ...t, ...readOnly } });
      }
      if (op === 'UpdateTable') {
        const input = body.TableInput as StoredTable | undefined;
        if (!input?.Name) return fail(res, 'InvalidInputException', 'TableInput.Name is required');
        const unknown = Object.keys(input).filter((k) => !TABLE_INPUT_FIELDS.has(k));
        if (unknown.length) return fail(res, 'InvalidInputException', `unknown TableInput fields ${unknown.join(', ')}`);
        const current = tables.get(input.Name);
        if (!current) return fail(res, 'EntityNotFoundException', `Table ${input.Name} not found.`);
        const hook = hooks.get(input.Name);
        if (hook) {
          hooks.delete(input.Name);
          hook(current);
          current.VersionId = String(Number(current.VersionId) + 1);
        }
        if (body.VersionId !== undefined && body.VersionId !== current.VersionId) {
          const why =
            `Table ${input.Name} is at version ${current.VersionId}, ` +
            `not ${typeof body.VersionId === 'string' ? body.VersionId : JSON.stringify(body.VersionId)}`;
          return fail(res, 'ConcurrentModificationException', why);
        }
        tables.set(input.Name, { ...input, VersionId: String(Number(current.VersionId) + 1) });
        return answer(res, {});
      }
      return fail(res, 'UnknownOperationException', `${op} is not implemented here`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    config: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
    calls,
    table: (name) => {
      const t = tables.get(name);
      if (!t) throw new Error(`no table ${name}`);
      return t;
    },
    parameters: (name) => ({ ...tables.get(name)!.Parameters }),
    reset,
    drop: (name) => {
      tables.delete(name);
    },
    beforeNextUpdate: (name, change) => {
      hooks.set(name, change);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** CloudFormation values (Fn::Join, Ref, ...) rendered to text, so a template's TableInput reads like Glue's answer. */
function resolved(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolved);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o || 'Ref' in o || 'Fn::GetAtt' in o) return render(v);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolved(x)]));
  }
  return v;
}

/** The Glue tables of a synthesized stack, as Glue would hold them after `cdk deploy`. */
export function templateTables(template: Template): StoredTable[] {
  return Object.values(template.findResources('AWS::Glue::Table')).map((r) => resolved(r.Properties.TableInput) as StoredTable);
}

/**
 * The registry's tables with the projection the template gives them, without synthesizing a stack (for tests
 * about the job's plumbing rather than the template).
 */
export function registryTables(configured: { exchanges: string[]; symbols: string[] }): StoredTable[] {
  return allDatasets().map((d) => ({
    Name: tableName(d),
    TableType: 'EXTERNAL_TABLE',
    StorageDescriptor: { Location: `s3://lake/${d.layer}/${d.name}/`, Columns: [] },
    PartitionKeys: d.partitionKeys.map((k) => ({ Name: k.name, Type: k.type === 'int32' ? 'int' : 'string' })),
    Parameters: projectionParameters(d, enumValues(d, configured), { historyStart: '2017-01-01', bronzeRetentionDays: 7 }),
  }));
}

/** The same tables in a map, for tests about what the job decides rather than how it talks to Glue. */
export function memoryCatalog(seed: readonly StoredTable[]): TableCatalog & { parameters(name: string): Record<string, string> } {
  const tables = new Map(seed.map((t) => [t.Name, structuredClone(t)]));
  return {
    table: (name) => {
      const t = tables.get(name);
      if (!t) return Promise.reject(new MissingTableError(name, 'memory'));
      return Promise.resolve({
        parameters: { ...t.Parameters },
        setParameters: (p) => {
          t.Parameters = { ...p };
          return Promise.resolve();
        },
      });
    },
    parameters: (name) => ({ ...tables.get(name)!.Parameters }),
  };
}
