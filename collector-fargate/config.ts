import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SOURCES, type SourceId } from '../lib/exchanges/registry';
import { parseSourceList } from '../lib/exchanges/source-list';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../lib/collector/heartbeat';
import type { CollectorServiceConfig, SourceConfig } from '../lib/collector/service';
import { LocalObjectStore } from '../lib/storage/local-store';
import type { ObjectStore } from '../lib/storage/object-store';
import { S3ObjectStore } from '../lib/storage/s3-store';
import { UserError } from '../lib/util/errors';
import { checkedUrl } from '../lib/util/url';
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
/** ECS gives a container at most 120 s between SIGTERM and SIGKILL; leave room for the final heartbeat and exit. */
const MAX_STOP_DEADLINE_SECONDS = 110;

/** `ENDPOINT_BINANCE_FUTURES` for `binance-futures`. */
export function endpointVariable(source: SourceId): string {
  return ENDPOINT_PREFIX + source.toUpperCase().replace(/-/g, '_');
}

export function configFromEnv(env: NodeJS.ProcessEnv): ContainerConfig {
  const lakeUrl = required(env, 'LAKE_URL');
  if (lakeUrl.startsWith('s3://') && !/^s3:\/\/[^/]+/.test(lakeUrl))
    throw new UserError(`LAKE_URL '${lakeUrl}' names no bucket (expected s3://bucket/prefix/)`);
  const s3Endpoint = env.S3_ENDPOINT || undefined;
  const lakeRegion = env.LAKE_REGION?.trim() || undefined;
  if (lakeRegion && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(lakeRegion))
    throw new UserError(`LAKE_REGION '${lakeRegion}' is not an AWS region name (e.g. eu-west-1)`);
  if (s3Endpoint) {
    if (!lakeUrl.startsWith('s3://')) throw new UserError('S3_ENDPOINT is set but LAKE_URL is not an s3:// URL');
    checkedUrl('S3_ENDPOINT', s3Endpoint, ['http:', 'https:']);
  }
  const sources = withEndpointOverrides(parseSourceList(required(env, 'SOURCES')), env);
  const flush = optionalInt(env, 'FLUSH_INTERVAL_SECONDS', 1, 3600);
  const stop = optionalInt(env, 'STOP_DEADLINE_SECONDS', 1, MAX_STOP_DEADLINE_SECONDS);
  const beat = optionalInt(env, 'HEARTBEAT_INTERVAL_SECONDS', 1, 3600) ?? DEFAULT_HEARTBEAT_INTERVAL_MS / 1000;
  // The health check reads the same variable: a beat slower than half its limit would flap the task's health.
  const maxAge = Number(env.HEARTBEAT_MAX_AGE_SECONDS?.trim() || DEFAULT_HEARTBEAT_MAX_AGE_SECONDS);
  if (!(beat * 2 <= maxAge))
    throw new UserError(`HEARTBEAT_INTERVAL_SECONDS=${beat} must be at most half of HEARTBEAT_MAX_AGE_SECONDS=${maxAge}`);
  return {
    lakeUrl,
    lakeRegion,
    s3Endpoint,
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
 * Applies `ENDPOINT_<SOURCE>` variables. A variable naming no known source is rejected (a typo would otherwise
 * send a test container to the real exchange); one naming a known source that is not configured is ignored.
 */
function withEndpointOverrides(sources: SourceConfig[], env: NodeJS.ProcessEnv): SourceConfig[] {
  const known = new Map(SOURCES.map((s) => [endpointVariable(s), s]));
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENDPOINT_PREFIX) && env[name] && !known.has(name))
      throw new UserError(`${name} names no source (expected one of ${[...known.keys()].join(', ')})`);
  }
  return sources.map((source) => {
    const name = endpointVariable(source.source);
    const override = env[name];
    if (!override) return source;
    if (source.endpoint) throw new UserError(`source '${source.source}' has an endpoint in SOURCES and in ${name}; give one`);
    return { ...source, endpoint: checkedUrl(name, override, ['ws:', 'wss:']) };
  });
}

/**
 * The lake as an object store. S3 gets request timeouts (a hung PUT would otherwise stall every later flush)
 * and the bucket's region when given: the SDK's region redirects cannot replay the streamed bodies of large
 * files, so a bucket in another region must be addressed in its own region from the first request.
 */
export async function openLake(settings: Pick<ContainerConfig, 'lakeUrl' | 'lakeRegion' | 's3Endpoint'>): Promise<ObjectStore> {
  if (!settings.lakeUrl.startsWith('s3://')) return new LocalObjectStore(settings.lakeUrl);
  const config: S3ClientConfig = {
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    ...(settings.lakeRegion && { region: settings.lakeRegion }),
    ...(settings.s3Endpoint && {
      endpoint: settings.s3Endpoint,
      forcePathStyle: true,
      // S3-compatible test servers (s3rver) predate the SDK's default aws-chunked uploads with trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    }),
  };
  const store = S3ObjectStore.fromUrl(settings.lakeUrl, config);
  try {
    // Resolve the region now: without one the SDK fails only at the first PUT, minutes after start.
    await store.client.config.region();
  } catch {
    throw new UserError('no AWS region for the S3 lake: set AWS_REGION (or LAKE_REGION)');
  }
  return store;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new UserError(`${name} is not set`);
  return value;
}

function optionalInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new UserError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  return parsed;
}
