-- name: ohlcv-per-timeframe
-- description: OHLCV bars of one symbol at one timeframe (1m, 5m, 15m, 30m, 1h, 4h, 1d) over a date range
-- params: timeframe, symbol, from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD)
SELECT exchange, symbol, open_time, open, high, low, close, volume, trade_count, source, quality_flags
FROM silver_klines
WHERE timeframe = ? AND symbol = ? AND dt BETWEEN ? AND ?
ORDER BY exchange, open_time
