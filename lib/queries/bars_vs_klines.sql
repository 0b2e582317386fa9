-- name: bars-vs-klines
-- description: Parity per minute: 1m bars rebuilt from our trades (Silver 1s bars) beside the exchange's Silver 1m klines, with differences
-- params: symbol, from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD), symbol again, from_dt again, to_dt again (Athena parameters are positional)
-- view: research_bars_vs_klines
-- Minutes between a day's first and last trade minute; interpolated and never-closed klines are not the exchange's,
-- so they are left out. `disagrees` uses the Silver quality report's trade-bar parity rule
-- (lib/silver/trade-bar-parity.ts, TRADE_PARITY_RULES.relTol): prices and volume within a relative 1e-9, trade
-- count exactly; a kline minute without trades disagrees when it has volume, a trade minute without a kline always.
-- The report compares archive klines only (live trades are partial around reconnects): filter on kline_source to match it.
WITH ours AS (
  SELECT exchange, symbol, dt, date_trunc('minute', ts) AS minute,
         min_by(open, ts) AS open, max(high) AS high, min(low) AS low, max_by(close, ts) AS close,
         sum(volume) AS volume, sum(trade_count) AS trade_count
  FROM silver_bars_1s
  WHERE symbol = ? AND dt BETWEEN ? AND ? AND trade_count > 0
  GROUP BY exchange, symbol, dt, date_trunc('minute', ts)
),
span AS (
  SELECT exchange, symbol, dt, min(minute) AS first_minute, max(minute) AS last_minute
  FROM ours
  GROUP BY exchange, symbol, dt
),
theirs AS (
  SELECT k.exchange, k.symbol, k.open_time AS minute, k.open, k.high, k.low, k.close, k.volume, k.trade_count, k.source
  FROM silver_klines k
  JOIN span s ON k.exchange = s.exchange AND k.symbol = s.symbol AND k.dt = s.dt
    AND k.open_time BETWEEN s.first_minute AND s.last_minute
  WHERE k.timeframe = '1m' AND k.symbol = ? AND k.dt BETWEEN ? AND ? AND k.source <> 'filled' AND k.is_closed
),
paired AS (
  SELECT coalesce(o.exchange, t.exchange) AS exchange, coalesce(o.symbol, t.symbol) AS symbol,
         coalesce(o.minute, t.minute) AS minute,
         CASE WHEN t.minute IS NULL THEN 'trades_only' WHEN o.minute IS NULL THEN 'kline_only' ELSE 'both' END AS side,
         t.source AS kline_source,
         o.open AS bar_open, t.open AS kline_open, o.high AS bar_high, t.high AS kline_high,
         o.low AS bar_low, t.low AS kline_low, o.close AS bar_close, t.close AS kline_close,
         o.volume AS bar_volume, t.volume AS kline_volume, o.trade_count AS bar_trade_count, t.trade_count AS kline_trade_count
  FROM ours o
  FULL OUTER JOIN theirs t ON o.exchange = t.exchange AND o.symbol = t.symbol AND o.minute = t.minute
)
SELECT exchange, symbol, minute, side, kline_source,
       bar_open, kline_open, bar_open - kline_open AS open_diff,
       bar_high, kline_high, bar_high - kline_high AS high_diff,
       bar_low, kline_low, bar_low - kline_low AS low_diff,
       bar_close, kline_close, bar_close - kline_close AS close_diff,
       bar_volume, kline_volume, bar_volume - kline_volume AS volume_diff,
       bar_trade_count, kline_trade_count, bar_trade_count - kline_trade_count AS trade_count_diff,
       CASE
         WHEN side = 'trades_only' THEN true
         WHEN side = 'kline_only' THEN kline_volume > 0 OR coalesce(kline_trade_count, 0) > 0
         WHEN abs(bar_open - kline_open) > 1e-9 * greatest(abs(bar_open), abs(kline_open))
           OR abs(bar_high - kline_high) > 1e-9 * greatest(abs(bar_high), abs(kline_high))
           OR abs(bar_low - kline_low) > 1e-9 * greatest(abs(bar_low), abs(kline_low))
           OR abs(bar_close - kline_close) > 1e-9 * greatest(abs(bar_close), abs(kline_close))
           OR abs(bar_volume - kline_volume) > 1e-9 * greatest(abs(bar_volume), abs(kline_volume))
           OR bar_trade_count <> coalesce(kline_trade_count, bar_trade_count) THEN true
         ELSE false
       END AS disagrees
FROM paired
ORDER BY exchange, symbol, minute
