import path from 'node:path';
import { readParquet } from '../lib/parquet/read';
import { encodeParquet, putTable } from '../lib/parquet/write';
import { DUCKDB_TYPES } from '../lib/schema/derive/duckdb-ddl';
import { glueColumns, gluePartitionKeys } from '../lib/schema/derive/glue-columns';
import { parquetSchema } from '../lib/schema/derive/parquet-schema';
import { allDatasets, dataset, tableName } from '../lib/schema/registry';
import { validateRow, validateTable } from '../lib/schema/validate';
import type { DatasetSpec, PartitionValues } from '../lib/schema/types';
import { LakeQueryEngine } from '../lib/local/duckdb-lake';
import { bronzeFileKey, partitionFileKey } from '../lib/storage/lake-paths';
import { LocalObjectStore } from '../lib/storage/local-store';
import { Table } from '../lib/table/table';
import { sampleRows, tmpDir } from './helpers/sample-rows';

const partitionOf = (d: DatasetSpec): PartitionValues => ({
  exchange: 'binance',
  symbol: 'BTCUSDT',
  dt: '2024-01-02',
  ...(d.partitionKeys.some((k) => k.name === 'timeframe') ? { timeframe: '1m' } : {}),
  ...(d.partitionKeys.some((k) => k.name === 'hour') ? { hour: 3 } : {}),
});

describe('schema registry', () => {
  const lake = tmpDir('registry');
  const store = new LocalObjectStore(lake);
  let engine: LakeQueryEngine;

  beforeAll(async () => {
    for (const d of allDatasets()) {
      const values = partitionOf(d);
      const key = d.layer === 'bronze' ? bronzeFileKey(d, values, Date.UTC(2024, 0, 2, 3), 'test') : partitionFileKey(d, values);
      await putTable(store, key, Table.fromRows(d, sampleRows(d, 7)));
    }
    engine = await LakeQueryEngine.open(lake);
  });
  afterAll(() => engine?.close());

  it('defines every dataset of docs/architecture.md#lake-layout-and-datasets in each layer and the Gold tables', () => {
    const names = allDatasets().map(tableName);
    for (const n of ['klines', 'book_top10', 'trades', 'quotes', 'funding', 'open_interest', 'liquidations', 'gaps']) {
      expect(names).toContain(`bronze_${n}`);
    }
    // The archive-only datasets (docs/history.md, "Archive rows in Bronze"), with quarantine for the import's rejects.
    for (const n of ['agg_trades', 'funding_rates', 'long_short_ratios', 'book_depth']) {
      expect(names).toEqual(expect.arrayContaining([`bronze_${n}`, `quarantine_${n}`]));
    }
    for (const n of ['klines', 'book_top10', 'trades', 'quotes', 'funding', 'open_interest', 'liquidations', 'bars_1s']) {
      expect(names).toContain(`silver_${n}`);
    }
    expect(names).toEqual(expect.arrayContaining(['gold_features_1m', 'gold_ohlcv_5m', 'gold_ohlcv_1h', 'gold_ohlcv_1d']));
  });

  it('uses only the documented partition key names (docs/architecture.md), and never a partition key as a data column', () => {
    for (const d of allDatasets()) {
      const keys = d.partitionKeys.map((k) => k.name);
      expect(keys).toEqual(expect.arrayContaining(['exchange', 'symbol', 'dt']));
      const cols = d.columns.map((c) => c.name);
      expect(new Set(cols).size).toBe(cols.length);
      for (const k of keys) expect(cols).not.toContain(k);
      for (const reserved of ['date', 'interval']) expect([...keys, ...cols]).not.toContain(reserved);
      if (d.name === 'klines') expect(keys[0]).toBe('timeframe');
      expect(cols).toContain(d.timeColumn);
    }
  });

  it('has the fixed core Gold columns for 1m, 5m and 15m', () => {
    const cols = dataset('gold', 'features_1m').columns.map((c) => c.name);
    for (const tf of ['1m', '5m', '15m']) {
      for (const f of ['rsi_14', 'macd', 'macd_signal', 'macd_hist', 'bb_upper_20', 'bb_middle_20', 'bb_lower_20', 'atr_14']) {
        expect(cols).toContain(`${f}_${tf}`);
      }
    }
    expect(cols).toEqual(expect.arrayContaining(['ts', 'data_ok']));
  });

  it.each(allDatasets().map((d) => [tableName(d), d] as const))(
    '%s: a written file reads back in DuckDB with exactly the registry columns and types',
    async (_name, d) => {
      const values = partitionOf(d);
      const dir = path.join(lake, d.layer, d.name);
      const r = await engine.query(`DESCRIBE SELECT * FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = false)`);
      const described = r.rows.map((row) => [row.column_name, row.column_type]);
      expect(described).toEqual(d.columns.map((c) => [c.name, DUCKDB_TYPES[c.type]]));

      // The view adds the partition keys as typed columns and holds the rows written.
      const v = await engine.query(`DESCRIBE ${tableName(d)}`);
      expect(v.rows.map((row) => row.column_name)).toEqual([
        ...d.columns.map((c) => c.name),
        ...d.partitionKeys.map((k) => k.name),
      ]);
      const count = await engine.query(`SELECT count(*) AS n, min(dt) AS dt, min(exchange) AS ex FROM ${tableName(d)}`);
      expect(count.rows[0]).toEqual({ n: '7', dt: values.dt, ex: 'binance' });
    },
  );

  it('reads timestamps as TIMESTAMP values equal to the epoch milliseconds written', async () => {
    const d = dataset('bronze', 'trades');
    const r = await engine.query(`SELECT epoch_ms(event_time) AS ms, event_time FROM bronze_trades ORDER BY trade_id LIMIT 2`);
    expect(r.types).toEqual(['BIGINT', 'TIMESTAMP']);
    const expected = sampleRows(d, 2).map((row) => row.event_time);
    expect(r.rows.map((row) => Number(row.ms))).toEqual(expected);
    expect(r.rows[0].event_time).toBe('2024-01-02 03:00:00');
  });

  it('round-trips values, nulls included, through our own reader', async () => {
    for (const d of allDatasets()) {
      const rows = sampleRows(d, 5);
      const back = await readParquet(d, await encodeParquet(Table.fromRows(d, rows)));
      expect(back.rows()).toEqual(rows);
    }
  });

  it('reads an empty lake through typed, empty views', async () => {
    const empty = await LakeQueryEngine.open(tmpDir('empty-lake'));
    try {
      const r = await empty.query('SELECT count(*) AS n FROM silver_klines');
      expect(r.rows[0].n).toBe('0');
      const cols = await empty.query('DESCRIBE gold_features_1m');
      expect(cols.rows.find((row) => row.column_name === 'ts')?.column_type).toBe('TIMESTAMP');
    } finally {
      empty.close();
    }
  });

  it('derives Glue columns and partition keys from the same definitions', () => {
    for (const d of allDatasets()) {
      expect(glueColumns(d).map((c) => c.name)).toEqual(d.columns.map((c) => c.name));
      expect(gluePartitionKeys(d).map((c) => c.name)).toEqual(d.partitionKeys.map((k) => k.name));
      expect(
        parquetSchema(d)
          .slice(1)
          .map((s) => s.name),
      ).toEqual(d.columns.map((c) => c.name));
      for (const c of glueColumns(d)) expect(c.comment.length).toBeLessThanOrEqual(255);
    }
    const trades = glueColumns(dataset('bronze', 'trades'));
    expect(trades.find((c) => c.name === 'event_time')?.type).toBe('timestamp');
    expect(trades.find((c) => c.name === 'trade_id')?.type).toBe('bigint');
  });

  it('validates rows against nullability, ranges and enums', () => {
    const d = dataset('bronze', 'trades');
    const [good] = sampleRows(d, 1);
    expect(validateRow(d, good)).toBeNull();
    expect(validateRow(d, { ...good, price: 0 })).toMatch(/price=0 is not > 0/);
    expect(validateRow(d, { ...good, qty: -1 })).toMatch(/qty=-1 is below 0/);
    expect(validateRow(d, { ...good, trade_id: null })).toMatch(/trade_id is null/);
    expect(validateRow(d, { ...good, source: 'ftp' })).toMatch(/source=ftp is not one of/);
    expect(validateRow(d, { ...good, price: Infinity })).toMatch(/not finite/);
    expect(validateRow(d, { ...good, is_buyer_maker: 'yes' })).toMatch(/not a boolean/);
    const t = Table.fromRows(d, [good, { ...good, price: -5 }, good]);
    expect([...validateTable(t).entries()]).toEqual([[1, 'price=-5 is not > 0']]);
  });
});
