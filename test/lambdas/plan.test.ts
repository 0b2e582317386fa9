import { MAX_REBUILD_DAYS, planRebuild } from '../../lib/app/rebuild-plan';
import { UserError } from '../../lib/util/errors';
import { handler as plan } from '../../lambdas/plan';

describe('plan handler (rebuild state machine input)', () => {
  it('expands a range into one item per date, both ends included, across a month and a leap day', async () => {
    const r = await plan({ from: '2024-02-27', to: '2024-03-02' });
    expect(r).toEqual({ count: 5, dates: ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02'].map((dt) => ({ dt })) });
    expect(await plan({ from: '2024-01-01', to: '2024-01-01' })).toEqual({ count: 1, dates: [{ dt: '2024-01-01' }] });
  });

  it('carries the exchange and symbol filters into every item (symbol upper-cased as the CLI does)', async () => {
    const r = await plan({ from: '2023-12-31', to: '2024-01-01', exchange: 'binance', symbol: 'ethusdt' });
    expect(r.dates).toEqual([{ dt: '2023-12-31', exchange: 'binance', symbol: 'ETHUSDT' }, { dt: '2024-01-01', exchange: 'binance', symbol: 'ETHUSDT' }]);
  });

  it(`allows ${MAX_REBUILD_DAYS} days, and the largest plan fits a Step Functions payload (256 KB)`, async () => {
    const r = await plan({ from: '2016-01-01', to: '2026-01-07', exchange: 'binance-futures', symbol: 'BTCUSDT' });
    expect(r.count).toBe(MAX_REBUILD_DAYS);
    expect(r.dates.at(-1)).toEqual({ dt: '2026-01-07', exchange: 'binance-futures', symbol: 'BTCUSDT' });
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(256 * 1024);
  });

  it('rejects bad input with a UserError naming the problem', async () => {
    for (const [event, message] of [
      [{ from: '2024-03-02', to: '2024-03-01' }, 'from 2024-03-02 is after to 2024-03-01'],
      [{ from: '2016-01-01', to: '2026-01-08' }, `2016-01-01 to 2026-01-08 is 3661 days; rebuild at most ${MAX_REBUILD_DAYS} days at a time`],
      [{ from: '0001-01-01', to: '9999-12-31' }, 'rebuild at most 3660 days at a time'],
      [{ to: '2024-03-01' }, 'event.from is required (YYYY-MM-DD)'],
      [{ from: '2024-03-01', to: '2024-3-9' }, 'event.to "2024-3-9" is not a date (expected YYYY-MM-DD)'],
      [{ from: '2024-03-01', to: '2024-03-02', exchange: 'Binance' }, 'event.exchange "Binance" is not one of'],
      [null, 'event.from is required'],
    ] as const) {
      const error = await plan(event).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain(message);
    }
  });

  it('validates dates in the core too (callers other than the handler)', () => {
    expect(() => planRebuild({ from: '2024-02-30', to: '2024-03-01' })).toThrow("from '2024-02-30' is not a date (expected YYYY-MM-DD)");
  });
});
