-- name: gaps-with-completeness
-- description: The gap ledger's interruptions beside the Silver 1m completeness of every hour each touches, and of its day
-- params: from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD), from_dt again, to_dt again (Athena parameters are positional)
-- view: research_gaps_with_completeness
-- Completeness as completeness-per-day counts it: real (not interpolated) 1m klines out of 60 an hour, 1,440 a day.
-- A gap still open (no end_time) is joined to its start hour; an hour without klines leaves the completeness null.
WITH hourly AS (
  SELECT exchange, symbol, dt, date_trunc('hour', open_time) AS hour_start,
         sum(CASE WHEN source <> 'filled' THEN 1 ELSE 0 END) AS real_minutes,
         sum(CASE WHEN source = 'filled' THEN 1 ELSE 0 END) AS filled_minutes
  FROM silver_klines
  WHERE timeframe = '1m' AND dt BETWEEN ? AND ?
  GROUP BY exchange, symbol, dt, date_trunc('hour', open_time)
),
completeness AS (
  SELECT exchange, symbol, dt, hour_start, real_minutes, filled_minutes,
         round(CAST(real_minutes AS double) * 100 / 60, 3) AS hour_completeness_pct,
         round(CAST(sum(real_minutes) OVER (PARTITION BY exchange, symbol, dt) AS double) * 100 / 1440, 3) AS day_completeness_pct
  FROM hourly
)
SELECT g.exchange, g.symbol, g.stream, g.cause, g.start_time, g.end_time,
       date_diff('second', g.start_time, g.end_time) AS seconds,
       c.hour_start, c.real_minutes, c.filled_minutes, c.hour_completeness_pct, c.day_completeness_pct
FROM bronze_gaps g
LEFT JOIN completeness c ON c.exchange = g.exchange AND c.symbol = g.symbol
  AND c.hour_start <= coalesce(g.end_time, g.start_time) AND c.hour_start + INTERVAL '1' HOUR > g.start_time
WHERE g.dt BETWEEN ? AND ?
ORDER BY g.start_time, g.exchange, g.symbol, g.stream, c.hour_start
