import { validateFeatures } from '../gold/validity';
import type { BadFile } from '../lake/bad-files';
import { partitionSegmentProblem } from '../lake/partition-folders';
import { readTable, UnreadableFileError } from '../parquet/read';
import { dataset } from '../schema/registry';
import type { PartitionKeyName } from '../schema/types';
import type { QualityReport } from '../silver/quality-report';
import { parseBronzeFileKey, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import type { ExchangeFreshness, GoldValidity, LakeHealth, SilverQuality, SymbolFreshness } from './health-types';

/**
 * What lake health reads from the lake (lib/app/health.ts judges it): Bronze freshness, the latest Silver
 * quality reports and the newest readable Gold partition per symbol, walking the lake by listing prefixes.
 */

/**
 * Values of the `name=value/` folders directly below `prefix`, in key order (dates and hours ascending). Folders
 * whose value does not parse (`dt=notadate`) are not partitions: the bad-file check reports them.
 */
async function folderValues(store: ObjectStore, prefix: string, name: PartitionKeyName): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await store.listPrefixes(prefix)) {
    const seg = folder.slice(prefix.length, -1);
    if (seg.startsWith(`${name}=`) && !partitionSegmentProblem({ name }, seg)) out.push(seg.slice(name.length + 1));
  }
  return out;
}

/**
 * Freshness from 1m klines only: every source streams them and the collector writes them at every flush, so
 * they show whether the feed is alive at a few LIST calls per symbol. Per-stream liveness is the collector's
 * own heartbeat metrics' job.
 */
export async function bronzeFreshness(
  store: ObjectStore,
  nowMs: number,
  staleAfterSeconds: number,
): Promise<ExchangeFreshness[]> {
  const spec = dataset('bronze', 'klines');
  const out: ExchangeFreshness[] = [];
  const root = partitionPrefix(spec, { timeframe: '1m' });
  for (const exchange of await folderValues(store, root, 'exchange')) {
    const symbols: SymbolFreshness[] = [];
    const exPrefix = `${root}exchange=${exchange}/`;
    for (const symbol of await folderValues(store, exPrefix, 'symbol')) {
      const newest = await newestBronzeFile(store, `${exPrefix}symbol=${symbol}/`);
      if (!newest) continue;
      const ageSeconds = Math.max(0, Math.round((nowMs - newest.at) / 1000));
      symbols.push({
        symbol,
        newestKey: newest.key,
        newestAt: new Date(newest.at).toISOString(),
        basis: newest.basis,
        ageSeconds,
        fresh: ageSeconds <= staleAfterSeconds,
      });
    }
    if (symbols.length === 0) continue;
    const ageSeconds = Math.min(...symbols.map((s) => s.ageSeconds));
    out.push({ exchange, ageSeconds, fresh: ageSeconds <= staleAfterSeconds, symbols });
  }
  return out;
}

/** The newest file of a symbol: in its newest dt/hour folder (folders are by event time). */
async function newestBronzeFile(
  store: ObjectStore,
  symbolPrefix: string,
): Promise<{ key: string; at: number; basis: 'written' | 'data' } | undefined> {
  for (const dt of (await folderValues(store, symbolPrefix, 'dt')).reverse()) {
    for (const hour of (await folderValues(store, `${symbolPrefix}dt=${dt}/`, 'hour')).reverse()) {
      let newest: { key: string; at: number; basis: 'written' | 'data' } | undefined;
      for (const object of await listAll(store, `${symbolPrefix}dt=${dt}/hour=${hour}/`)) {
        const file = parseBronzeFileKey(object.key);
        if (!file) continue;
        const start = file.startMs;
        // Backfilled data counts from when it happened, so a backfill cannot make a dead feed look fresh.
        const live = file.writer === 'live' && object.lastModified !== undefined;
        const candidate = live
          ? { key: object.key, at: object.lastModified!.getTime(), basis: 'written' as const }
          : { key: object.key, at: start, basis: 'data' as const };
        if (!newest || candidate.at > newest.at) newest = candidate;
      }
      if (newest) return newest;
    }
  }
  return undefined;
}

const REPORTS = 'reports/quality/';

/** The latest reports, and the unreadable Bronze files they record. */
export async function latestSilverReports(
  store: ObjectStore,
  problems: string[],
): Promise<LakeHealth['silver'] & { recorded: { key: string; reason: string }[] }> {
  const dt = (await folderValues(store, REPORTS, 'dt')).at(-1);
  if (dt === undefined) return { dt: null, reports: [], recorded: [] };
  const reports: SilverQuality[] = [];
  const recorded: { key: string; reason: string }[] = [];
  for (const object of await listAll(store, `${REPORTS}dt=${dt}/`)) {
    if (!object.key.endsWith('.json')) continue;
    let report: QualityReport;
    try {
      report = JSON.parse(Buffer.from(await store.get(object.key)).toString('utf8')) as QualityReport;
    } catch (err) {
      problems.push(`silver: unreadable quality report ${object.key} (${(err as Error).message})`);
      continue;
    }
    reports.push({
      exchange: report.exchange,
      symbol: report.symbol,
      dt: report.dt,
      verdict: report.verdict,
      completenessPercent: report.klines_1m.completeness * 100,
      reasons: report.reasons,
      builtAt: report.builtAt,
    });
    recorded.push(...(report.unreadableFiles ?? []));
  }
  return { dt, reports, recorded };
}

/** A symbol whose newest Gold file cannot be read shows its newest readable one; the bad one goes to `unreadable`. */
export async function latestGoldValidity(store: ObjectStore, unreadable: BadFile[]): Promise<GoldValidity[]> {
  const spec = dataset('gold', 'features_1m');
  const root = partitionPrefix(spec, {});
  const out: GoldValidity[] = [];
  for (const exchange of await folderValues(store, root, 'exchange')) {
    for (const symbol of await folderValues(store, `${root}exchange=${exchange}/`, 'symbol')) {
      const symbolPrefix = `${root}exchange=${exchange}/symbol=${symbol}/`;
      for (const dt of (await folderValues(store, symbolPrefix, 'dt')).reverse()) {
        const key = `${symbolPrefix}dt=${dt}/data.parquet`;
        // Listing, not HEAD: without bucket-wide s3:ListBucket, S3 answers a HEAD of a missing key with 403.
        if (!(await listAll(store, key)).some((f) => f.key === key)) continue;
        let features;
        try {
          features = await readTable(store, spec, key);
        } catch (error) {
          if (!(error instanceof UnreadableFileError)) throw error;
          unreadable.push({ layer: 'gold', view: 'gold_features_1m', key, reason: error.reason });
          continue;
        }
        const validity = validateFeatures(features);
        const dataOk = features.bool('data_ok').filter(Boolean).length;
        out.push({
          exchange,
          symbol,
          dt,
          rows: features.length,
          dataOkPercent: features.length ? (dataOk / features.length) * 100 : 0,
          nulls: validity.nulls,
          invalid: validity.invalid + validity.unexpectedNulls,
          invalidFeatures: Object.entries(validity.byFeature)
            .filter(([, f]) => f.invalid > 0 || f.unexpectedNulls > 0)
            .map(([name]) => name),
        });
        break;
      }
    }
  }
  return out;
}

/** The unreadable Bronze files the latest Silver reports name, as bad files of their views. */
export function recordedBronze(recorded: readonly { key: string; reason: string }[]): BadFile[] {
  return recorded.map(({ key, reason }) => ({ layer: 'bronze', view: `bronze_${key.split('/')[1]}`, key, reason }));
}
