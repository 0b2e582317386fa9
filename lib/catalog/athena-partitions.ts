import { DAY_MS } from '../util/time';

/**
 * How many partitions Athena projects for a query on a table with partition projection, from the table's own
 * Glue parameters: the product, over the partition keys, of the values each key can take. A key the query
 * filters contributes only the values its filter admits (1 for `key = 'x'`). Athena fails a query that
 * projects more than ATHENA_PARTITION_LIMIT partitions.
 */

export const ATHENA_PARTITION_LIMIT = 1_000_000;

/** Values per key that a query's filters admit, e.g. `{ symbol: 1 }` for `symbol = 'X'`, `{ dt: 30 }` for a month. */
export type KeyFilters = Readonly<Record<string, number>>;

export function projectedPartitions(
  parameters: Readonly<Record<string, string>>,
  partitionKeys: readonly string[],
  filters: KeyFilters = {},
  nowMs = Date.now(),
): number {
  if (parameters['projection.enabled']?.trim().toLowerCase() !== 'true')
    throw new Error('the table does not use partition projection');
  let count = 1;
  for (const key of partitionKeys) {
    const admitted = filters[key];
    const type = parameters[`projection.${key}.type`]?.trim().toLowerCase();
    if (type === 'injected') {
      if (admitted === undefined) throw new Error(`Athena refuses a query without a filter on injected key ${key}`);
      count *= admitted;
      continue;
    }
    const values = keyCardinality(parameters, key, type, nowMs);
    count *= admitted === undefined ? values : Math.min(admitted, values);
  }
  return count;
}

function keyCardinality(
  parameters: Readonly<Record<string, string>>,
  key: string,
  type: string | undefined,
  nowMs: number,
): number {
  const param = (name: string) => {
    const value = parameters[`projection.${key}.${name}`];
    if (value === undefined) throw new Error(`projection.${key}.${name} is missing`);
    return value;
  };
  const interval = () => Number(parameters[`projection.${key}.interval`] ?? '1');
  switch (type) {
    case 'enum':
      // Athena splits on commas and keeps any white space as part of a value.
      return param('values').split(',').length;
    case 'integer': {
      const [min, max] = param('range')
        .split(',')
        .map((s) => Number(s.trim()));
      return max < min ? 0 : Math.floor((max - min) / interval()) + 1;
    }
    case 'date': {
      const format = param('format');
      const unit = (parameters[`projection.${key}.interval.unit`] ?? 'DAYS').trim().toUpperCase();
      if (format !== 'yyyy-MM-dd' || unit !== 'DAYS')
        throw new Error(`date projection ${format} by ${unit} is not supported here`);
      const [min, max] = param('range')
        .split(',')
        .map((s) => dayOf(s, nowMs));
      return max < min ? 0 : Math.floor((max - min) / DAY_MS / interval()) + 1;
    }
    default:
      throw new Error(`projection type ${type ?? '(none)'} of ${key} is not supported here`);
  }
}

const RELATIVE = /^\s*NOW\s*(?:([+-])\s*(\d+)\s*(YEARS?|MONTHS?|WEEKS?|DAYS?)\s*)?$/;

/** Start of the UTC day of a range bound: a yyyy-MM-dd date, or NOW±n (years, months, weeks, days) at `nowMs`. */
function dayOf(bound: string, nowMs: number): number {
  const match = RELATIVE.exec(bound);
  if (!match) {
    const time = Date.parse(`${bound.trim()}T00:00:00Z`);
    if (Number.isNaN(time)) throw new Error(`date range bound '${bound}' is neither yyyy-MM-dd nor NOW±n units`);
    return time;
  }
  const now = new Date(Math.floor(nowMs / DAY_MS) * DAY_MS);
  if (!match[1]) return now.getTime();
  const offset = Number(match[2]) * (match[1] === '-' ? -1 : 1);
  const unit = match[3].replace(/S$/, '');
  if (unit === 'YEAR') now.setUTCFullYear(now.getUTCFullYear() + offset);
  else if (unit === 'MONTH') now.setUTCMonth(now.getUTCMonth() + offset);
  else now.setUTCDate(now.getUTCDate() + offset * (unit === 'WEEK' ? 7 : 1));
  return now.getTime();
}
