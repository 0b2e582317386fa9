-- name: flagged-minutes
-- description: Silver 1m bars by source and quality flags per day (outages, quiet minutes, fills, backfills)
-- params: from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD)
SELECT dt, exchange, symbol, source, quality_flags, count(*) AS bars
FROM silver_klines
WHERE timeframe = '1m' AND dt BETWEEN ? AND ? AND (quality_flags <> 0 OR source <> 'ws')
GROUP BY dt, exchange, symbol, source, quality_flags
ORDER BY dt, exchange, symbol, source, quality_flags
