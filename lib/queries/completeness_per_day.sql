-- name: completeness-per-day
-- description: Silver 1m completeness per day, exchange and symbol: real bars (not interpolated) out of 1,440 minutes
-- params: from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD)
SELECT dt, exchange, symbol,
       count(*) AS rows_kept,
       sum(CASE WHEN source <> 'filled' THEN 1 ELSE 0 END) AS real_minutes,
       sum(CASE WHEN source = 'filled' THEN 1 ELSE 0 END) AS filled_minutes,
       round(CAST(sum(CASE WHEN source <> 'filled' THEN 1 ELSE 0 END) AS double) * 100 / 1440, 3) AS completeness_pct
FROM silver_klines
WHERE timeframe = '1m' AND dt BETWEEN ? AND ?
GROUP BY dt, exchange, symbol
ORDER BY dt, exchange, symbol
