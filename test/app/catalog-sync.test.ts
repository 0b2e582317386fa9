import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncCatalog } from '../../lib/app/catalog-sync';
import { GlueTableCatalog } from '../../lib/catalog/glue-catalog';
import { DEFAULT_CONFIG, projectedExchanges, projectedSymbols } from '../../lib/cdk/config';
import { glueDatabaseName } from '../../lib/cdk/lakehouse-stack';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { defaultTemplate } from '../cdk/build-stack';
import { lakehouse } from '../helpers/cli';
import { startGlue, templateTables, type FakeGlue, type StoredTable } from '../helpers/glue';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

const DB = glueDatabaseName(DEFAULT_CONFIG.lakeName);
const LINK = testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');
/** What the deployed job gets in PROJECTED_EXCHANGES / PROJECTED_SYMBOLS. */
const configured = { exchanges: projectedExchanges(DEFAULT_CONFIG), symbols: projectedSymbols(DEFAULT_CONFIG) };

const updates = (glue: FakeGlue) => glue.calls.filter((c) => c.op === 'UpdateTable');

/** An empty Bronze file in the partition `values` of `name`: the job only looks at folders. */
async function bronzeFile(store: LocalObjectStore, name: string, values: Parameters<typeof bronzeFileKey>[1]) {
  await store.put(bronzeFileKey(dataset('bronze', name), values, Date.parse(`${values.dt}T00:00:00Z`), 'test'), 'x');
}

describe('catalog job: the Glue projection follows the lake', () => {
  let glue: FakeGlue;
  let seeded: Map<string, StoredTable>;
  let catalog: GlueTableCatalog;

  beforeAll(async () => {
    // The tables exactly as `cdk deploy` creates them from the synthesized template.
    const tables = templateTables(defaultTemplate().template);
    seeded = new Map(tables.map((t) => [t.Name, t]));
    glue = await startGlue(DB, tables);
    catalog = new GlueTableCatalog(DB, glue.config);
  }, 60_000);
  beforeEach(() => glue.reset());
  afterAll(async () => {
    catalog?.client.destroy();
    await glue?.close();
  });

  it('projects LINKUSDT on binance-futures after `lakehouse import`, through the real Glue SDK; a second run writes nothing', async () => {
    const lake = path.join(tmpDir('catalog-import'), 'lake');
    const imp = await lakehouse([
      'import',
      '--file',
      LINK,
      '--dataset',
      'klines',
      '--exchange',
      'binance-futures',
      '--lake',
      lake,
    ]);
    expect(imp.code).toBe(0);
    const store = new LocalObjectStore(lake);
    expect(seeded.get('bronze_klines')!.Parameters).toMatchObject({
      'projection.symbol.values': 'BTCUSDT,ETHUSDT',
      'projection.exchange.values': 'binance',
    });

    const first = await syncCatalog({ store, catalog, configured });
    expect(first.failed).toEqual([]);
    // The import wrote Bronze 1m klines only (no rejected rows, so no quarantine file).
    expect(first.updated).toEqual([
      { table: 'bronze_klines', added: { exchange: ['binance-futures'], symbol: ['LINKUSDT'] }, removed: {} },
    ]);
    const after = glue.table('bronze_klines');
    expect(after.Parameters).toMatchObject({
      'projection.symbol.values': 'BTCUSDT,ETHUSDT,LINKUSDT',
      'projection.exchange.values': 'binance,binance-futures',
      // The import was 1m: the timeframes stay the collector's, and nothing but the enums changed.
      'projection.timeframe.values': '1m,5m,15m',
      'projection.dt.range': 'NOW-8DAYS,NOW',
    });
    // UpdateTable replaced the whole table with what GetTable returned plus the new values: nothing else was lost.
    const { VersionId: _, Parameters: params, ...rest } = after;
    const { Parameters: seededParams, ...seededRest } = seeded.get('bronze_klines')!;
    expect(rest).toEqual(seededRest);
    expect(Object.keys(params).sort()).toEqual(Object.keys(seededParams).sort());
    expect(updates(glue)).toHaveLength(1);
    expect(updates(glue)[0].body).toMatchObject({ DatabaseName: DB, VersionId: '1', SkipArchive: true });
    // Nothing else in the lake yet: every other table keeps the template's values.
    expect(glue.parameters('silver_klines')).toEqual(seeded.get('silver_klines')!.Parameters);

    glue.calls.length = 0;
    const second = await syncCatalog({ store, catalog, configured });
    expect(second.updated).toEqual([]);
    expect(updates(glue)).toEqual([]);
    expect(glue.calls.length).toBe(seeded.size);
    // Listing stops above dt: one listing per table, per timeframe and per exchange folder, never per file.
    expect(second.listings).toBeLessThan(60);
  }, 90_000);

  it("projects Kraken's BTC/USD as its path value BTC-USD, configured or found, and drops what the lake no longer holds", async () => {
    const root = path.join(tmpDir('catalog-kraken'), 'lake');
    const store = new LocalObjectStore(root);
    await bronzeFile(store, 'trades', { exchange: 'kraken', symbol: 'BTC/USD', dt: '2026-12-01', hour: 3 });
    await bronzeFile(store, 'klines', { timeframe: '1h', exchange: 'binance', symbol: 'SOLUSDT', dt: '2026-12-01', hour: 0 });
    // A folder no projection can name: a comma would split the enum value in two.
    await fs.mkdir(path.join(root, 'bronze/trades/exchange=kraken/symbol=A,B/dt=2026-12-01'), { recursive: true });
    // A folder that is nobody's partition (docs/bad-files.md) is not projected at all.
    await fs.mkdir(path.join(root, 'bronze/trades/exchange=kraken/symbol=X=Y/dt=2026-12-01'), { recursive: true });

    const withKraken = { exchanges: configured.exchanges, symbols: [...configured.symbols, 'BTC/USD'] };
    const r = await syncCatalog({ store, catalog, configured: withKraken });
    expect(r.failed).toEqual([]);
    expect(glue.parameters('bronze_trades')).toMatchObject({
      'projection.exchange.values': 'binance,kraken',
      'projection.symbol.values': 'BTC-USD,BTCUSDT,ETHUSDT',
    });
    expect(r.tables.find((t) => t.table === 'bronze_trades')!.ignored).toEqual(['symbol=A,B']);
    // A kline interval an import brought in joins the collector's, in interval order.
    expect(glue.parameters('bronze_klines')).toMatchObject({
      'projection.timeframe.values': '1m,5m,15m,1h',
      'projection.symbol.values': 'BTC-USD,BTCUSDT,ETHUSDT,SOLUSDT',
    });
    // The configured symbol is projected everywhere before any data, spelled as the path spells it.
    expect(glue.parameters('gold_features_1m')['projection.symbol.values']).toBe('BTC-USD,BTCUSDT,ETHUSDT');

    // Bronze expired: the found values leave the projection, the configured ones stay.
    await fs.rm(path.join(root, 'bronze'), { recursive: true });
    const later = await syncCatalog({ store, catalog, configured });
    expect(later.updated.find((u) => u.table === 'bronze_trades')).toEqual({
      table: 'bronze_trades',
      added: {},
      removed: { exchange: ['kraken'], symbol: ['BTC-USD'] },
    });
    expect(glue.parameters('bronze_klines')).toMatchObject({
      'projection.timeframe.values': '1m,5m,15m',
      'projection.symbol.values': 'BTCUSDT,ETHUSDT',
    });
  }, 60_000);

  it('reads the table again when a deployment changed it between GetTable and UpdateTable, keeping that change', async () => {
    const root = path.join(tmpDir('catalog-race'), 'lake');
    const store = new LocalObjectStore(root);
    await bronzeFile(store, 'quotes', { exchange: 'binance', symbol: 'XRPUSDT', dt: '2026-12-01', hour: 5 });
    glue.beforeNextUpdate('bronze_quotes', (t) => {
      t.Parameters = { ...t.Parameters, classification: 'parquet', 'comment.by': 'cloudformation' };
    });

    const r = await syncCatalog({ store, catalog, configured, datasets: [dataset('bronze', 'quotes')] });
    expect(r.failed).toEqual([]);
    const attempts = updates(glue).map((c) => c.body.VersionId);
    // The first write carried the version it read and was refused; the second carried the new one.
    expect(attempts).toEqual(['1', '2']);
    expect(glue.parameters('bronze_quotes')).toMatchObject({
      'comment.by': 'cloudformation',
      'projection.symbol.values': 'BTCUSDT,ETHUSDT,XRPUSDT',
    });
  });

  it('brings every other table up to date when one is missing, and reports it', async () => {
    const store = new LocalObjectStore(path.join(tmpDir('catalog-missing'), 'lake'));
    await bronzeFile(store, 'funding', { exchange: 'binance-futures', symbol: 'BTCUSDT', dt: '2026-12-01', hour: 0 });
    await bronzeFile(store, 'open_interest', { exchange: 'binance-futures', symbol: 'BTCUSDT', dt: '2026-12-01', hour: 0 });
    glue.drop('bronze_funding');
    const r = await syncCatalog({ store, catalog, configured });
    expect(r.failed).toEqual([
      { table: 'bronze_funding', error: expect.stringMatching(/no table bronze_funding in Glue database crypto_lakehouse/) },
    ]);
    expect(r.updated.map((u) => u.table)).toEqual(['bronze_open_interest']);
  });
});
