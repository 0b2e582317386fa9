import { syncCatalog } from '../../lib/app/catalog-sync';
import { ATHENA_PARTITION_LIMIT, projectedPartitions } from '../../lib/catalog/athena-partitions';
import { projectedExchanges, projectedSymbols } from '../../lib/cdk/config';
import { EXCHANGES, KLINE_TIMEFRAMES, LIVE_KLINE_TIMEFRAMES } from '../../lib/schema/columns';
import { allDatasets, tableName } from '../../lib/schema/registry';
import type { DatasetSpec } from '../../lib/schema/types';
import type { ObjectStore } from '../../lib/storage/object-store';
import { buildApp } from '../cdk/build-stack';
import { Template } from 'aws-cdk-lib/assertions';
import { memoryCatalog, templateTables } from '../helpers/glue';

const DAY = 86_400_000;

describe("projectedPartitions: what Athena projects from a table's parameters", () => {
  const now = Date.UTC(2026, 11, 6, 15, 30);
  const p = {
    'projection.enabled': 'true',
    'projection.exchange.type': 'enum',
    'projection.exchange.values': 'a,b,c',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': '2024-01-01,2024-01-31',
    'projection.hour.type': 'integer',
    'projection.hour.range': '0,23',
    'projection.hour.digits': '2',
  };
  const keys = ['exchange', 'dt', 'hour'];

  it('multiplies enum values, days of the date range (both ends included) and the integer range', () => {
    expect(projectedPartitions(p, keys, {}, now)).toBe(3 * 31 * 24);
    expect(projectedPartitions({ ...p, 'projection.hour.interval': '6' }, keys, {}, now)).toBe(3 * 31 * 4);
  });

  it('counts only what a filter admits: one value for an equality, at most the range for a dt range', () => {
    expect(projectedPartitions(p, keys, { exchange: 1 }, now)).toBe(31 * 24);
    expect(projectedPartitions(p, keys, { exchange: 1, dt: 7 }, now)).toBe(7 * 24);
    expect(projectedPartitions(p, keys, { dt: 400 }, now)).toBe(3 * 31 * 24);
  });

  it('resolves NOW-relative ranges at the given time, in UTC days', () => {
    const days = (range: string, at = now) => projectedPartitions({ ...p, 'projection.dt.range': range }, ['dt'], {}, at);
    expect(days('NOW-8DAYS,NOW')).toBe(9);
    expect(days('NOW-1WEEK,NOW')).toBe(8);
    // 2025-12-06 .. 2026-12-06; and a year spanning 29 February.
    expect(days('NOW-1YEAR,NOW')).toBe(366);
    expect(days('NOW-1YEARS,NOW', Date.UTC(2024, 5, 1))).toBe(367);
    expect(days('2026-12-01,NOW')).toBe(6);
    expect(days('NOW+1DAY,NOW')).toBe(0);
  });

  it('refuses what it cannot count rather than guess', () => {
    expect(() => projectedPartitions({ ...p, 'projection.enabled': 'false' }, keys)).toThrow(/partition projection/);
    expect(() => projectedPartitions({ ...p, 'projection.dt.format': 'yyyy-MM-dd-HH' }, keys)).toThrow(/not supported/);
    expect(() => projectedPartitions({ ...p, 'projection.exchange.type': 'injected' }, keys)).toThrow(/injected/);
    expect(projectedPartitions({ ...p, 'projection.exchange.type': 'injected' }, keys, { exchange: 1 }, now)).toBe(31 * 24);
  });
});

/**
 * A lake that only answers folder listings (all the catalog job asks), with every dataset holding `symbols`
 * on every exchange, Bronze klines at the intervals the collector writes and Silver klines at all of them.
 */
function listingOnlyLake(symbols: readonly string[]): ObjectStore {
  const levels = (d: DatasetSpec) =>
    d.partitionKeys
      .filter((k) => k.name !== 'dt' && k.name !== 'hour')
      .map((k) => {
        if (k.name === 'timeframe')
          return { key: k.name, values: d.layer === 'bronze' ? LIVE_KLINE_TIMEFRAMES : KLINE_TIMEFRAMES };
        return { key: k.name, values: k.name === 'exchange' ? EXCHANGES : symbols };
      });
  const notHere = () => {
    throw new Error('the catalog job only lists folders');
  };
  return {
    url: 'memory://listing-only',
    get: notHere,
    tryGet: notHere,
    put: notHere,
    putFile: notHere,
    list: notHere,
    exists: notHere,
    delete: notHere,
    listPrefixes: (prefix) => {
      const [layer, name, ...rest] = prefix.split('/').filter(Boolean);
      const d = allDatasets().find((x) => x.layer === layer && x.name === name);
      const level = d && levels(d)[rest.length];
      return Promise.resolve(level ? level.values.map((v) => `${prefix}${level.key}=${v}/`) : []);
    },
  };
}

/**
 * The promise of the design, proven on the tables' real parameters: the synthesized template's, then updated by
 * the catalog job for a lake of 200 symbols on 4 exchanges with 10 years of history. An unfiltered query on any
 * Bronze table, and a query on one symbol of any other table, stay under Athena's limit.
 */
describe('partition arithmetic at scale: 200 symbols, 4 exchanges, 10 years', () => {
  const now = Date.UTC(2027, 0, 1, 12);
  const historyStart = '2017-01-01';
  const collected = ['BTCUSDT', 'ETHUSDT'];
  const symbols = [...collected, ...Array.from({ length: 198 }, (_, i) => `C${String(i).padStart(3, '0')}USDT`)];
  const sources = (['binance', 'binanceus', 'binance-futures', 'kraken'] as const).map((source) => ({
    source,
    symbols: collected,
  }));
  const { lake, config } = buildApp({ historyStart, collectors: [{ name: 'all', region: '', enabled: true, sources }] });
  const tables = templateTables(Template.fromStack(lake));
  const configured = { exchanges: projectedExchanges(config), symbols: projectedSymbols(config) };
  const keysOf = (d: DatasetSpec) => d.partitionKeys.map((k) => k.name);
  const days = (Date.UTC(2027, 0, 1) - Date.UTC(2017, 0, 1)) / DAY + 1;
  const bronzeDays = config.bronzeRetentionDays + 2;

  let catalog: ReturnType<typeof memoryCatalog>;
  beforeAll(async () => {
    catalog = memoryCatalog(tables);
    const r = await syncCatalog({ store: listingOnlyLake(symbols), catalog, configured, nowMs: now });
    expect(r.failed).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('has the catalog job project the lake: 200 symbols, 4 exchanges', () => {
    for (const d of allDatasets()) {
      const p = catalog.parameters(tableName(d));
      expect([
        tableName(d),
        p['projection.symbol.values'].split(',').length,
        p['projection.exchange.values'].split(',').length,
      ]).toEqual([tableName(d), 200, 4]);
    }
  });

  it.each(allDatasets('bronze').map((d) => [tableName(d), d] as const))(
    '%s: an unfiltered query stays under the limit',
    (_, d) => {
      const n = projectedPartitions(catalog.parameters(tableName(d)), keysOf(d), {}, now);
      // exchanges × symbols × days Bronze holds (retention + 1, plus today) × 24 hours × the collector's kline intervals
      expect(n).toBe(4 * 200 * bronzeDays * 24 * (d.timeframes ? LIVE_KLINE_TIMEFRAMES.length : 1));
      expect(n).toBeLessThan(ATHENA_PARTITION_LIMIT);
    },
  );

  const notBronze = allDatasets()
    .filter((d) => d.layer !== 'bronze')
    .map((d) => [tableName(d), d] as const);
  it.each(notBronze)('%s: a query on one symbol stays under the limit', (_, d) => {
    const n = projectedPartitions(catalog.parameters(tableName(d)), keysOf(d), { symbol: 1 }, now);
    expect(n).toBe(4 * days * (d.timeframes ? KLINE_TIMEFRAMES.length : 1));
    expect(n).toBeLessThan(ATHENA_PARTITION_LIMIT);
  });

  it('shows what the limit forbids: unfiltered Silver and Gold over all history, and Bronze projected as before', () => {
    const silver = allDatasets('silver').find((d) => d.name === 'trades')!;
    expect(projectedPartitions(catalog.parameters('silver_trades'), keysOf(silver), {}, now)).toBe(4 * 200 * days);
    expect(projectedPartitions(catalog.parameters('silver_trades'), keysOf(silver), { dt: 31 }, now)).toBe(4 * 200 * 31);
    const bronzeKlines = allDatasets('bronze').find((d) => d.name === 'klines')!;
    const before = {
      ...catalog.parameters('bronze_klines'),
      'projection.dt.range': `${historyStart},NOW`,
      'projection.timeframe.values': KLINE_TIMEFRAMES.join(','),
    };
    expect(projectedPartitions(before, keysOf(bronzeKlines), {}, now)).toBeGreaterThan(ATHENA_PARTITION_LIMIT);
    expect(projectedPartitions(before, keysOf(bronzeKlines), { symbol: 1 }, now)).toBeGreaterThan(ATHENA_PARTITION_LIMIT);
  });

  it('warns when a lake grows past what Bronze can answer unfiltered (400 symbols)', async () => {
    const more = [...symbols, ...Array.from({ length: 200 }, (_, i) => `D${String(i).padStart(3, '0')}USDT`)];
    const r = await syncCatalog({ store: listingOnlyLake(more), catalog: memoryCatalog(tables), configured, nowMs: now });
    expect(r.warnings).toEqual(["bronze_klines: an unfiltered query projects 1,036,800 partitions, over Athena's limit"]);
  });
});
