import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SOURCES, type SourceId } from '../lib/app/sources';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../lib/collector/heartbeat';
import type { CollectorServiceConfig, SourceConfig } from '../lib/collector/service';
import { LocalObjectStore } from '../lib/storage/local-store';
import type { ObjectStore } from '../lib/storage/object-store';
import { S3ObjectStore } from '../lib/storage/s3-store';
import { UserError } from '../lib/util/errors';
import { DEFAULT_HEARTBEAT_FILE, DEFAULT_HEARTBEAT_MAX_AGE_SECONDS, DEFAULT_SPOOL_DIR } from './defaults';

/**
 * The container's configuration, from environment variables only (the ECS task definition sets them). Every
 * mistake is a UserError naming the variable, so the task stops at once with one clear log line instead of
 * failing at its first flush minutes later.
 */

export interface ContainerConfig {
  lakeUrl: string;
  /** Region of the lake bucket when it is not the task's own AWS_REGION (a collector group in another region). */
  lakeRegion?: string;
  /** S3-compatible endpoint (tests with s3rver); unset in AWS. */
  s3Endpoint?: string;
  service: CollectorServiceConfig;
  heartbeatFile: string;
  heartbeatIntervalMs: number;
}

const ENDPOINT_PREFIX = 'ENDPOINT_';
const SOURCE_KEYS: ReadonlySet<string> = new Set(['source', 'symbols', 'endpoint', 'restEndpoint']);
/** ECS gives a container at most 120 s between SIGTERM and SIGKILL; leave room for the final heartbeat and exit. */
const MAX_STOP_DEADLINE_SECONDS = 110;

/** `ENDPOINT_BINANCE_FUTURES` for `binance-futures`. */
export function endpointVariable(source: SourceId): string {
  return ENDPOINT_PREFIX + source.toUpperCase().replace(/-/g, '_');
}

export function configFromEnv(env: NodeJS.ProcessEnv): ContainerConfig {
  const lakeUrl = required(env, 'LAKE_URL');
  if (lakeUrl.startsWith('s3://') && !/^s3:\/\/[^/]+/.test(lakeUrl)) throw new UserError(`LAKE_URL '${lakeUrl}' names no bucket (expected s3://bucket/prefix/)`);
  const s3Endpoint = env.S3_ENDPOINT || undefined;
  const lakeRegion = env.LAKE_REGION?.trim() || undefined;
  if (lakeRegion && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(lakeRegion)) throw new UserError(`LAKE_REGION '${lakeRegion}' is not an AWS region name (e.g. eu-west-1)`);
  if (s3Endpoint) {
    if (!lakeUrl.startsWith('s3://')) throw new UserError('S3_ENDPOINT is set but LAKE_URL is not an s3:// URL');
    url('S3_ENDPOINT', s3Endpoint, ['http:', 'https:']);
  }
  const sources = withEndpointOverrides(parseSources(required(env, 'SOURCES')), env);
  const flush = optionalInt(env, 'FLUSH_INTERVAL_SECONDS', 1, 3600);
  const stop = optionalInt(env, 'STOP_DEADLINE_SECONDS', 1, MAX_STOP_DEADLINE_SECONDS);
  const beat = optionalInt(env, 'HEARTBEAT_INTERVAL_SECONDS', 1, 3600) ?? DEFAULT_HEARTBEAT_INTERVAL_MS / 1000;
  // The health check reads the same variable: a beat slower than half its limit would flap the task's health.
  const maxAge = Number(env.HEARTBEAT_MAX_AGE_SECONDS?.trim() || DEFAULT_HEARTBEAT_MAX_AGE_SECONDS);
  if (!(beat * 2 <= maxAge)) throw new UserError(`HEARTBEAT_INTERVAL_SECONDS=${beat} must be at most half of HEARTBEAT_MAX_AGE_SECONDS=${maxAge}`);
  return {
    lakeUrl, lakeRegion, s3Endpoint,
    service: {
      sources,
      flushIntervalMs: flush === undefined ? undefined : flush * 1000,
      stopDeadlineMs: stop === undefined ? undefined : stop * 1000,
      spoolDir: env.SPOOL_DIR?.trim() || DEFAULT_SPOOL_DIR,
    },
    heartbeatFile: env.HEARTBEAT_FILE || DEFAULT_HEARTBEAT_FILE,
    heartbeatIntervalMs: beat * 1000,
  };
}

/**
 * `[{"source":"binance","symbols":["BTCUSDT"],"endpoint":"wss://…","restEndpoint":"https://…"}]`; symbols are
 * upper-cased as the CLI does.
 */
export function parseSources(text: string): SourceConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`SOURCES is not valid JSON (${(err as Error).message}); expected e.g. [{"source":"binance","symbols":["BTCUSDT"]}]`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new UserError('SOURCES must be a non-empty JSON array of {"source","symbols"} objects');
  return parsed.map((item: unknown, i): SourceConfig => {
    const at = `SOURCES[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new UserError(`${at} must be an object like {"source":"binance","symbols":["BTCUSDT"]}`);
    const o = item as Record<string, unknown>;
    // A misspelt key would otherwise be ignored silently (e.g. "symbol" for "symbols").
    const unknown = Object.keys(o).filter((k) => !SOURCE_KEYS.has(k));
    if (unknown.length) {
      throw new UserError(`${at} has unknown key(s) ${unknown.join(', ')} (expected source, symbols, endpoint, restEndpoint)`);
    }
    if (typeof o.source !== 'string' || !(SOURCES as readonly string[]).includes(o.source)) {
      throw new UserError(`${at}.source ${JSON.stringify(o.source)} is not one of ${SOURCES.join(', ')}`);
    }
    if (!Array.isArray(o.symbols) || o.symbols.length === 0 || !o.symbols.every((s) => typeof s === 'string' && s.trim())) {
      throw new UserError(`${at}.symbols must be a non-empty array of symbol strings, e.g. ["BTCUSDT","ETHUSDT"]`);
    }
    const symbols = [...new Set((o.symbols as string[]).map((s) => s.trim().toUpperCase()))];
    if (o.endpoint !== undefined && typeof o.endpoint !== 'string') throw new UserError(`${at}.endpoint must be a ws:// or wss:// URL string`);
    const source = o.source as SourceId;
    const endpoint = o.endpoint === undefined ? undefined : url(`${at}.endpoint`, o.endpoint, ['ws:', 'wss:']);
    if (o.restEndpoint !== undefined && typeof o.restEndpoint !== 'string') {
      throw new UserError(`${at}.restEndpoint must be an http:// or https:// URL string`);
    }
    // Without it, a source with an endpoint polls REST on that endpoint's host (CollectorService, restBaseFor).
    const restEndpoint = o.restEndpoint === undefined ? undefined : url(`${at}.restEndpoint`, o.restEndpoint, ['http:', 'https:']);
    return { source, symbols, ...(endpoint ? { endpoint } : {}), ...(restEndpoint ? { restEndpoint } : {}) };
  });
}

/**
 * Applies `ENDPOINT_<SOURCE>` variables. A variable naming no known source is rejected (a typo would otherwise
 * send a test container to the real exchange); one naming a known source that is not configured is ignored.
 */
function withEndpointOverrides(sources: SourceConfig[], env: NodeJS.ProcessEnv): SourceConfig[] {
  const known = new Map(SOURCES.map((s) => [endpointVariable(s), s]));
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENDPOINT_PREFIX) && env[name] && !known.has(name)) throw new UserError(`${name} names no source (expected one of ${[...known.keys()].join(', ')})`);
  }
  return sources.map((s) => {
    const name = endpointVariable(s.source);
    const override = env[name];
    if (!override) return s;
    if (s.endpoint) throw new UserError(`source '${s.source}' has an endpoint in SOURCES and in ${name}; give one`);
    return { ...s, endpoint: url(name, override, ['ws:', 'wss:']) };
  });
}

/**
 * The lake as an object store. S3 gets request timeouts (a hung PUT would otherwise stall every later flush)
 * and the bucket's region when given: the SDK's region redirects cannot replay the streamed bodies of large
 * files, so a bucket in another region must be addressed in its own region from the first request.
 */
export async function openLake(c: Pick<ContainerConfig, 'lakeUrl' | 'lakeRegion' | 's3Endpoint'>): Promise<ObjectStore> {
  if (!c.lakeUrl.startsWith('s3://')) return new LocalObjectStore(c.lakeUrl);
  const config: S3ClientConfig = {
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    ...(c.lakeRegion && { region: c.lakeRegion }),
    ...(c.s3Endpoint && {
      endpoint: c.s3Endpoint, forcePathStyle: true,
      // S3-compatible test servers (s3rver) predate the SDK's default aws-chunked uploads with trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    }),
  };
  const store = S3ObjectStore.fromUrl(c.lakeUrl, config);
  try {
    // Resolve the region now: without one the SDK fails only at the first PUT, minutes after start.
    await store.client.config.region();
  } catch {
    throw new UserError('no AWS region for the S3 lake: set AWS_REGION (or LAKE_REGION)');
  }
  return store;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new UserError(`${name} is not set`);
  return v;
}

function optionalInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return n;
}

function url(name: string, value: string, protocols: readonly string[]): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UserError(`${name} '${value}' is not a URL`);
  }
  if (!protocols.includes(u.protocol)) throw new UserError(`${name} '${value}' must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return value;
}
