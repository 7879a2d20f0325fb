-- wrk script of the HTTP benchmark: POSTs the same small JSON to either server, and reports
-- one machine-readable line (latencies in microseconds) for http.sh to read.
wrk.method = "POST"
wrk.body = '{"text":"hello","n":1}'
wrk.headers["Content-Type"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
