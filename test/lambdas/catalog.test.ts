import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey } from '../../lib/storage/lake-paths';
import { UserError } from '../../lib/util/errors';
import { startGlue, registryTables, type FakeGlue } from '../helpers/glue';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { useLake } from './helpers';

/** The catalog handler as Lambda runs it: lake in s3rver, Glue the stand-in, settings from the environment. */
describe('catalog handler', () => {
  let s3: LocalS3;
  let glue: FakeGlue;
  let catalog: (event: unknown) => Promise<unknown>;

  beforeAll(async () => {
    // The failures below are expected: keep their error lines out of the test output (the level is read at load).
    process.env.LOG_LEVEL = 'silent';
    catalog = (await import('../../lambdas/catalog')).handler;
    s3 = await startS3();
    glue = await startGlue('crypto_lakehouse', registryTables({ exchanges: ['binance'], symbols: ['BTCUSDT'] }));
    useLake(s3, 'cat');
    Object.assign(process.env, {
      GLUE_DATABASE: 'crypto_lakehouse',
      GLUE_ENDPOINT: glue.endpoint,
      PROJECTED_EXCHANGES: 'binance',
      PROJECTED_SYMBOLS: 'BTCUSDT',
    });
    const trades = dataset('bronze', 'trades');
    const key = bronzeFileKey(
      trades,
      { exchange: 'kraken', symbol: 'BTC/USD', dt: '2026-12-01', hour: 7 },
      Date.UTC(2026, 11, 1, 7),
      'x',
    );
    await s3.store('cat').put(key, 'x');
  }, 60_000);
  beforeEach(() => glue.reset());
  afterAll(async () => {
    await s3?.close();
    await glue?.close();
  });

  it('adds what the lake holds to the configured values and returns only what changed', async () => {
    const result = await catalog({ time: '2026-12-01T08:50:00Z' });
    expect(result).toMatchObject({
      updated: [{ table: 'bronze_trades', added: { exchange: ['kraken'], symbol: ['BTC-USD'] }, removed: {} }],
      warnings: [],
    });
    expect(glue.parameters('bronze_trades')).toMatchObject({
      'projection.exchange.values': 'binance,kraken',
      'projection.symbol.values': 'BTC-USD,BTCUSDT',
    });
  });

  it('fails the invocation, after updating the rest, when a table is missing', async () => {
    glue.drop('silver_trades');
    await expect(catalog({})).rejects.toThrow(/catalog sync failed for silver_trades \(no table silver_trades/);
    expect(glue.parameters('bronze_trades')['projection.exchange.values']).toBe('binance,kraken');
  });

  it('refuses to run without its database', async () => {
    const saved = process.env.GLUE_DATABASE;
    delete process.env.GLUE_DATABASE;
    try {
      await expect(catalog({})).rejects.toThrow(UserError);
    } finally {
      process.env.GLUE_DATABASE = saved;
    }
  });
});
