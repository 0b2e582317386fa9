import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

describe('lakehouse demo', () => {
  it('runs simulator → collector → Bronze → Silver → Gold and leaves a lake that lakehouse query reads', async () => {
    const lake = tmpDir('demo');
    const demo = await lakehouse(['demo', '--lake', lake, '--minutes', '20', '--symbols', 'BTCUSDT,ETHUSDT'], {
      timeoutMs: 180_000,
    });
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/rows per layer\n {2}bronze +[\d,]+\n {2}silver +[\d,]+\n {2}gold +[\d,]+/);
    expect(demo.stdout).toMatch(/0 parse errors/);
    expect(demo.stdout).toMatch(/2024-01-03 BTCUSDT +100\.00 % {2}PASS/);
    expect(demo.stderr).toMatch(/collect: \d+ % of 20 simulated minutes/);

    const q = await lakehouse([
      'query',
      `select
        (select count(*) from bronze_trades) as trades,
        (select count(*) from bronze_book_top10 where symbol = 'ETHUSDT') as books,
        (select count(*) from silver_klines where timeframe = '1m' and dt = '2024-01-03') as silver_minutes,
        (select count(*) from gold_features_1m where dt = '2024-01-03' and data_ok) as gold_ok,
        (select count(*) from gold_features_1m where dt = '2024-01-03' and book_snapshots_1m > 0) as gold_book,
        (select count(*) from gold_features_1m where dt = '2024-01-03' and rsi_14_5m is not null and trend_alignment_ema_9_21 ` +
        `is not null) as gold_price`,
      '--format',
      'json',
      '--lake',
      lake,
    ]);
    expect(q.code).toBe(0);
    const row = JSON.parse(q.stdout);
    expect(Number(row.trades)).toBeGreaterThan(1000);
    expect(Number(row.books)).toBe(20 * 600);
    expect(Number(row.silver_minutes)).toBe(2 * 1440);
    // Price features cover the whole day (REST history + live); the order book only the live window, and data_ok
    // needs every input the market has that day.
    expect(Number(row.gold_price)).toBe(2 * 1440);
    expect(Number(row.gold_book)).toBe(2 * 20);
    expect(Number(row.gold_ok)).toBe(2 * 20);
  });
});
