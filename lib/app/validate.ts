import { FileChecks, scanDataset, type BadFile } from '../lake/bad-files';
import { partitionSegmentProblem } from '../lake/partition-folders';
import { allDatasets } from '../schema/registry';
import { reportMarkdown, type QualityReport } from '../silver/quality-report';
import { partitionPrefix, symbolPathValue } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { NothingMatchedError } from '../util/errors';

/**
 * `lakehouse validate`: the quality reports Silver wrote for a date (docs/silver.md), optionally for one exchange/symbol,
 * each with the bad files of its partition in every layer (docs/bad-files.md). A report that is not valid JSON
 * is passed to `onUnreadable` and left out, so it does not hide the others.
 */
export async function readQualityReports(
  store: ObjectStore,
  dt: string,
  filter: { exchange?: string; symbol?: string } = {},
  onUnreadable?: (key: string, reason: string) => void,
): Promise<QualityReport[]> {
  const prefix = `reports/quality/dt=${dt}/`;
  const wanted = `${filter.exchange ?? ''}${filter.exchange ? '_' : ''}`;
  const all = (await listAll(store, prefix)).map((o) => o.key).filter((k) => k.endsWith('.json'));
  const keys = all.filter((key) => {
    const name = key.slice(prefix.length, -'.json'.length);
    if (wanted && !name.startsWith(wanted)) return false;
    return !filter.symbol || name.endsWith(`_${symbolPathValue(filter.symbol)}`);
  });
  if (keys.length === 0) {
    const asked = `${dt}${filter.exchange ? ` ${filter.exchange}` : ''}${filter.symbol ? ` ${filter.symbol}` : ''}`;
    const others = all.map((k) => k.slice(prefix.length, -'.json'.length).replace('_', ' '));
    const hint =
      others.length && (filter.exchange || filter.symbol)
        ? `that date has reports for ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}`
        : `run lakehouse silver --date ${dt} first`;
    throw new NothingMatchedError(`no quality report for ${asked}; ${hint}`);
  }
  const reports: QualityReport[] = [];
  for (const key of keys) {
    try {
      reports.push(JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as QualityReport);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      onUnreadable?.(key, `not valid JSON (${err.message}); lakehouse silver --date ${dt} rewrites it`);
    }
  }
  return reports;
}

export interface ValidatedPartition {
  report: QualityReport;
  /** The partition's data files (every layer, Bronze's hours included) that fail the checks. */
  badFiles: BadFile[];
}

export async function validateDate(
  store: ObjectStore,
  dt: string,
  filter: { exchange?: string; symbol?: string } = {},
  onUnreadable?: (key: string, reason: string) => void,
): Promise<ValidatedPartition[]> {
  const reports = await readQualityReports(store, dt, filter, onUnreadable);
  const checks = await FileChecks.open(store);
  const timeframes = new Map<string, string[]>();
  const out: ValidatedPartition[] = [];
  for (const report of reports) {
    const badFiles: BadFile[] = [];
    for (const spec of allDatasets()) {
      const values = { exchange: report.exchange, symbol: report.symbol, dt: report.dt };
      let prefixes = [partitionPrefix(spec, values)];
      const first = spec.partitionKeys[0];
      if (first.name === 'timeframe') {
        // The partition is in every timeframe the dataset holds: one listing per dataset finds them.
        const root = partitionPrefix(spec, {});
        if (!timeframes.has(root)) {
          const segments = (await store.listPrefixes(root))
            .map((p) => p.slice(root.length, -1))
            .filter((seg) => !partitionSegmentProblem(first, seg));
          timeframes.set(
            root,
            segments.map((seg) => seg.slice('timeframe='.length)),
          );
        }
        prefixes = timeframes.get(root)!.map((timeframe) => partitionPrefix(spec, { ...values, timeframe }));
      }
      badFiles.push(...(await scanDataset(store, spec, checks, prefixes)).bad);
    }
    out.push({ report, badFiles });
  }
  await checks.save();
  return out;
}

export function validatedMarkdown(validated: ValidatedPartition): string {
  const md = reportMarkdown(validated.report);
  if (validated.badFiles.length === 0) return md;
  const lines = ['## Bad files of this partition', ''];
  for (const layer of ['bronze', 'silver', 'gold', 'quarantine'] as const) {
    const mine = validated.badFiles.filter((b) => b.layer === layer);
    if (mine.length === 0) continue;
    lines.push(`${layer}: ${mine.length}`, '', ...mine.map((b) => `- \`${b.key}\` (${b.view}): ${b.reason}`), '');
  }
  return `${md}\n${lines.join('\n')}`;
}
