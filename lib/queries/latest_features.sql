-- name: latest-features
-- description: The latest Gold feature row of each exchange and symbol on a day, with the core indicators
-- params: dt (YYYY-MM-DD)
SELECT exchange, symbol, ts, close, rsi_14_1m, rsi_14_5m, rsi_14_15m, macd_1m, macd_hist_5m, macd_hist_15m,
       bb_upper_20_5m, bb_lower_20_5m, atr_14_15m, inputs, data_ok
FROM (
  SELECT f.*, row_number() OVER (PARTITION BY exchange, symbol ORDER BY ts DESC) AS rn
  FROM gold_features_1m f
  WHERE dt = ? AND close IS NOT NULL
) latest
WHERE rn = 1
ORDER BY exchange, symbol
