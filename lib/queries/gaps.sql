-- name: gaps
-- description: Stream interruptions recorded in the gap ledger over a date range, longest first
-- params: from_dt (YYYY-MM-DD), to_dt (YYYY-MM-DD)
SELECT exchange, symbol, stream, cause, start_time, end_time,
       date_diff('second', start_time, end_time) AS seconds
FROM bronze_gaps
WHERE dt BETWEEN ? AND ?
ORDER BY seconds DESC, start_time
