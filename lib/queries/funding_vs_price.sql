-- name: funding-vs-price
-- description: Hourly funding rate and mark price of a perpetual next to its hourly close, over a date range
-- params: symbol, from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD), from_dt again, to_dt again (Athena parameters are positional)
WITH funding_hourly AS (
  SELECT exchange, symbol, date_trunc('hour', event_time) AS hour_start,
         avg(funding_rate) AS funding_rate, avg(mark_price) AS mark_price
  FROM silver_funding
  WHERE symbol = ? AND dt BETWEEN ? AND ?
  GROUP BY exchange, symbol, date_trunc('hour', event_time)
)
SELECT f.exchange, f.symbol, f.hour_start, f.funding_rate, f.mark_price, k.close AS close_1h,
       round(10000 * (f.mark_price - k.close) / k.close, 3) AS mark_minus_close_bps
FROM funding_hourly f
LEFT JOIN silver_klines k
  ON k.timeframe = '1h' AND k.dt BETWEEN ? AND ?
  AND k.exchange = f.exchange AND k.symbol = f.symbol AND k.open_time = f.hour_start
ORDER BY f.exchange, f.hour_start
