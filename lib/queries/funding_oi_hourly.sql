-- name: funding-oi-hourly
-- description: Hourly close of a perpetual beside the last funding rate, mark price and open interest of each hour
-- params: symbol, from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD), symbol, from_dt, to_dt, symbol, from_dt, to_dt (one range per table read)
-- view: research_funding_oi_hourly
-- The hours are Silver's 1h klines (a full grid); funding and open interest are the last reading in each hour
-- (null in an hour without one). funding-vs-price averages funding over the hour instead.
WITH funding_hourly AS (
  SELECT exchange, symbol, date_trunc('hour', event_time) AS hour_start,
         max_by(funding_rate, event_time) AS funding_rate, max_by(mark_price, event_time) AS mark_price,
         max(event_time) AS funding_time
  FROM silver_funding
  WHERE symbol = ? AND dt BETWEEN ? AND ?
  GROUP BY exchange, symbol, date_trunc('hour', event_time)
),
oi_hourly AS (
  SELECT exchange, symbol, date_trunc('hour', event_time) AS hour_start,
         max_by(open_interest, event_time) AS open_interest, max_by(open_interest_value, event_time) AS open_interest_value,
         max(event_time) AS open_interest_time
  FROM silver_open_interest
  WHERE symbol = ? AND dt BETWEEN ? AND ?
  GROUP BY exchange, symbol, date_trunc('hour', event_time)
)
SELECT k.exchange, k.symbol, k.open_time AS hour_start, k.close, k.quality_flags AS close_flags,
       f.funding_rate, f.mark_price, f.funding_time, o.open_interest, o.open_interest_value, o.open_interest_time
FROM silver_klines k
LEFT JOIN funding_hourly f ON f.exchange = k.exchange AND f.symbol = k.symbol AND f.hour_start = k.open_time
LEFT JOIN oi_hourly o ON o.exchange = k.exchange AND o.symbol = k.symbol AND o.hour_start = k.open_time
WHERE k.timeframe = '1h' AND k.symbol = ? AND k.dt BETWEEN ? AND ?
ORDER BY k.exchange, k.open_time
