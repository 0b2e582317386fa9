import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import path from 'node:path';
import { JSONPath } from 'jsonpath-plus';

/**
 * Executes a synthesized Step Functions definition in-process with `aws-local-stepfunctions` (MIT), Task states
 * bound to local handlers. That engine runs every state type but treats a Distributed Map like an inline Map over
 * `ItemsPath`: it has no ItemReader, ResultWriter or tolerated-failure threshold. Those three are what our build
 * relies on at scale, so this module gives the engine a Distributed Map of our own — the definition itself runs
 * unchanged — following the Step Functions developer guide:
 * - ItemReader (`arn:aws:states:::s3:getObject`, ReaderConfig.InputType JSON): the items are the JSON array in
 *   `Parameters.Bucket`/`Key` (`.$` paths resolved against the state's input), read through `s3.get`;
 * - each item runs the ItemProcessor as its own child execution (ItemSelector applied), at most MaxConcurrency at
 *   once; a child that fails after its own retries is a failed item;
 * - ToleratedFailurePercentage / ToleratedFailureCount (default 0): once more items failed than tolerated, no new
 *   child starts and the state fails with `States.ExceedToleratedFailureThreshold`; items never started are PENDING;
 * - ResultWriter (`Parameters.Bucket`/`Prefix`): writes `{Prefix}/{mapRunId}/SUCCEEDED_0.json`, `FAILED_0.json`,
 *   `PENDING_0.json` (arrays of child execution records: Input and Output as JSON strings, Status, Error, Cause) and
 *   `manifest.json` naming them, through `s3.put`; the state's result is then `{ MapRunArn, ResultWriterDetails:
 *   { Bucket, Key } }` instead of the array of outputs.
 * The engine (pinned at 3.0.0, the only version published) is loaded from its own file with one hook added at the
 * start of its Map handler; the hook's anchor is checked, so a changed engine fails loudly instead of skipping it.
 */

export interface MapRunS3 {
  get(bucket: string, key: string): Promise<string>;
  put(bucket: string, key: string, body: string): Promise<void>;
}

export interface LocalRunOptions {
  /** Handler per Task state name (state names are unique across a definition, nested ones included). */
  tasks: Record<string, (input: unknown) => Promise<unknown>>;
  /** S3 as the state machine's role sees it, for ItemReader and ResultWriter. */
  s3: MapRunS3;
  executionName?: string;
}

export interface MapRunRecord {
  state: string;
  items: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface LocalRunResult {
  output: unknown;
  /** Every Distributed Map run of the execution, in the order they finished. */
  mapRuns: MapRunRecord[];
}

type Json = unknown;
type Definition = { States: Record<string, State>; StartAt: string };
type State = Record<string, unknown> & { Type: string };
interface EngineStateMachine {
  run(input: Json, options?: unknown): { result: Promise<Json>; abort(): void };
}
interface Engine {
  StateMachine: new (definition: Definition, options?: unknown) => EngineStateMachine;
  ExecutionError: new (...args: unknown[]) => Error & { cause?: unknown };
}
type DistributedMapHook = (a: {
  stateDefinition: State;
  input: Json;
  context: Record<string, unknown>;
  stateName: string;
  options: { runOptions?: unknown };
}) => Promise<Json>;

const HOOK = Symbol.for('crypto-lakehouse.distributed-map');
const ANCHOR = 'async executeMapState(stateDefinition, rawInput, input, context, stateName, options) {';

let engine: Engine | undefined;

function loadEngine(): Engine {
  if (engine) return engine;
  // Node 20 lacks Promise.withResolvers, which the engine uses for timeouts (it declares Node >= 22).
  const P = Promise as unknown as { withResolvers?: () => unknown };
  P.withResolvers ??= () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  const file = createRequire(__filename).resolve('aws-local-stepfunctions');
  const source = fs.readFileSync(file, 'utf8');
  if (!source.includes(ANCHOR))
    throw new Error(`aws-local-stepfunctions changed: ${ANCHOR} not found in ${file}; update test/aws/local-sfn.ts`);
  const hooked = source.replace(
    ANCHOR,
    `${ANCHOR}
    const distributed = globalThis[Symbol.for('crypto-lakehouse.distributed-map')];
    if (distributed && stateDefinition.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      const stateResult = await distributed({ stateDefinition, input, context, stateName, options });
      return { stateResult, nextState: stateDefinition.Next ?? '', isEndState: stateDefinition.End ?? false };
    }`,
  );
  const M = Module as unknown as {
    new (id: string): { filename: string; paths: string[]; exports: Engine; _compile(src: string, f: string): void };
    _nodeModulePaths(d: string): string[];
  };
  const m = new M(file);
  m.filename = file;
  m.paths = M._nodeModulePaths(path.dirname(file));
  m._compile(hooked, file);
  engine = m.exports;
  return engine;
}

/** `.$` keys of a payload template resolved against the input (`$`) and the context (`$$`). */
function resolveTemplate(template: Json, input: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, input, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(template as Record<string, Json>)) {
    if (k.endsWith('.$') && typeof v === 'string') {
      const [json, p] = v.startsWith('$$') ? [context, v.slice(1)] : [input, v];
      out[k.slice(0, -2)] = JSONPath({ path: p, json: json as object, wrap: false });
    } else {
      out[k] = resolveTemplate(v, input, context);
    }
  }
  return out;
}

/** Task state names of a definition, nested ones included (to run their retries without waiting). */
function taskStates(def: Definition): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(def.States)) {
    if (s.Type === 'Task') out.push(name);
    const inner = (s.ItemProcessor ?? s.Iterator) as Definition | undefined;
    if (inner) out.push(...taskStates(inner));
    for (const b of (s.Branches as Definition[] | undefined) ?? []) out.push(...taskStates(b));
  }
  return out;
}

export async function runLocally(definition: Definition, input: Json, o: LocalRunOptions): Promise<LocalRunResult> {
  const { StateMachine, ExecutionError } = loadEngine();
  const mapRuns: MapRunRecord[] = [];
  const executionName = o.executionName ?? `local-${randomUUID().slice(0, 8)}`;
  const hook: DistributedMapHook = async ({ stateDefinition: s, input: stateInput, context, stateName, options }) => {
    const reader = s.ItemReader as { Parameters: Json; ReaderConfig?: { InputType?: string } } | undefined;
    let items: Json[];
    if (reader) {
      if (reader.ReaderConfig?.InputType !== 'JSON') throw new Error(`${stateName}: only JSON item readers are supported here`);
      const { Bucket, Key } = resolveTemplate(reader.Parameters, stateInput, context) as { Bucket: string; Key: string };
      items = JSON.parse(await o.s3.get(Bucket, Key)) as Json[];
      if (!Array.isArray(items))
        throw Object.assign(new Error(`${Key} does not hold a JSON array`), { name: 'States.ItemReaderFailed' });
    } else {
      items = (
        s.ItemsPath ? JSONPath({ path: s.ItemsPath as string, json: stateInput as object, wrap: false }) : stateInput
      ) as Json[];
    }
    const processor = { ...(s.ItemProcessor as Definition & { ProcessorConfig?: unknown }) };
    delete processor.ProcessorConfig;
    const child = new StateMachine(processor, { validationOptions: { noValidate: true } });
    const total = items.length;
    const tolerated = Math.max(
      s.ToleratedFailureCount !== undefined ? Number(s.ToleratedFailureCount) : -1,
      s.ToleratedFailurePercentage !== undefined ? Math.floor((Number(s.ToleratedFailurePercentage) / 100) * total) : -1,
      0,
    );
    const records: {
      Status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
      Input: string;
      Output?: string;
      Error?: string;
      Cause?: string;
      Name: string;
    }[] = items.map((_, i) => ({ Status: 'PENDING', Input: '', Name: `${executionName}-${stateName}-${i}` }));
    const outputs: Json[] = new Array(total);
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < total && failed <= tolerated) {
        const i = next++;
        const itemInput = s.ItemSelector
          ? resolveTemplate(s.ItemSelector, stateInput, { ...context, Map: { Item: { Index: i, Value: items[i] } } })
          : items[i];
        records[i].Input = JSON.stringify(itemInput);
        try {
          outputs[i] = await child.run(itemInput, {
            ...(options.runOptions as object),
            context: { Execution: { Name: records[i].Name } },
          }).result;
          Object.assign(records[i], { Status: 'SUCCEEDED', Output: JSON.stringify(outputs[i] ?? null) });
        } catch (err) {
          const cause = (err instanceof ExecutionError ? err.cause : err) as Error;
          Object.assign(records[i], { Status: 'FAILED', Error: cause?.name ?? 'Error', Cause: cause?.message ?? String(err) });
          failed++;
        }
      }
    };
    const concurrency = Number(s.MaxConcurrency ?? 0) || 1000;
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));
    const count = (status: string) => records.filter((r) => r.Status === status).length;
    mapRuns.push({
      state: stateName,
      items: total,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      pending: count('PENDING'),
    });

    let result: Json = outputs;
    const writer = s.ResultWriter as { Parameters?: Json } | undefined;
    if (writer?.Parameters) {
      const { Bucket, Prefix } = resolveTemplate(writer.Parameters, stateInput, context) as { Bucket: string; Prefix?: string };
      const mapRunId = randomUUID();
      const base = `${Prefix ? `${Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}`;
      const mapRunArn = `arn:aws:states:us-east-1:123456789012:mapRun:${executionName}/${stateName}:${mapRunId}`;
      const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
      for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
        const of = records
          .filter((r) => r.Status === status)
          .map((r) => ({
            ...r,
            ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:${r.Name}`,
            StateMachineArn: mapRunArn,
          }));
        if (of.length === 0) continue;
        const body = JSON.stringify(of);
        const key = `${base}/${status}_0.json`;
        await o.s3.put(Bucket, key, body);
        files[status].push({ Key: key, Size: Buffer.byteLength(body) });
      }
      const manifestKey = `${base}/manifest.json`;
      await o.s3.put(
        Bucket,
        manifestKey,
        JSON.stringify({ DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
      );
      result = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
    }
    if (failed > tolerated) {
      throw Object.assign(new Error(`${failed} of ${total} items failed, more than the ${tolerated} tolerated`), {
        name: 'States.ExceedToleratedFailureThreshold',
      });
    }
    return result;
  };

  const g = globalThis as unknown as Record<symbol, DistributedMapHook | undefined>;
  const previous = g[HOOK];
  g[HOOK] = hook;
  try {
    const machine = new StateMachine(definition);
    const retryIntervalOverrides = Object.fromEntries(taskStates(definition).map((n) => [n, 0]));
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: o.tasks, retryIntervalOverrides },
      context: {
        Execution: { Name: executionName, Id: `arn:aws:states:us-east-1:123456789012:execution:local:${executionName}` },
      },
    });
    try {
      return { output: await execution.result, mapRuns };
    } catch (err) {
      // The engine wraps the failing state's error; the caller wants that error (its name is the ASL error name).
      const cause = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : (err as Error);
      throw Object.assign(cause, { mapRuns });
    }
  } finally {
    g[HOOK] = previous;
  }
}
