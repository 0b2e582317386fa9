import type { QualityReport } from '../silver/quality-report';
import { symbolPathValue } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';

/** `lakehouse validate`: the quality reports Silver wrote for a date (SPEC S5), optionally for one exchange/symbol. */
export async function readQualityReports(store: ObjectStore, dt: string, filter: { exchange?: string; symbol?: string } = {}): Promise<QualityReport[]> {
  const prefix = `reports/quality/dt=${dt}/`;
  const wanted = `${filter.exchange ?? ''}${filter.exchange ? '_' : ''}`;
  const keys = (await listAll(store, prefix)).map((o) => o.key).filter((k) => k.endsWith('.json'))
    .filter((k) => {
      const name = k.slice(prefix.length, -'.json'.length);
      if (wanted && !name.startsWith(wanted)) return false;
      return !filter.symbol || name.endsWith(`_${symbolPathValue(filter.symbol)}`);
    });
  if (keys.length === 0) throw new UserError(`no quality report for ${dt}${filter.exchange ? ` ${filter.exchange}` : ''}${filter.symbol ? ` ${filter.symbol}` : ''}; run lakehouse silver --date ${dt} first`);
  const reports: QualityReport[] = [];
  for (const k of keys) reports.push(JSON.parse(Buffer.from(await store.get(k)).toString('utf8')) as QualityReport);
  return reports;
}
