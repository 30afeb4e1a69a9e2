-- wrk_ocsp.lua - wrk script for bench/http.sh: one OCSP request, repeated.
--
--   wrk -t T -c C -d D --latency -s bench/wrk_ocsp.lua URL -- get
--   wrk -t T -c C -d D --latency -s bench/wrk_ocsp.lua URL -- post REQ.der
--
-- get: the request is in URL (/ocsp/<url-encoded base64>, RFC 6960 A.1);
-- post: the DER request in REQ.der is the body, Content-Type
-- application/ocsp-request.  A response counts as "ok" when it is HTTP 200
-- and its OCSPResponseStatus (the ENUMERATED after the outer SEQUENCE's
-- header) is successful (0); errors are OCSP responses with HTTP 200 too.
-- done() prints one line "RESULT key=value ..." for bench/http.sh.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

local ok, other = 0, 0

function init(args)
	if args[1] == "post" then
		local f = assert(io.open(args[2], "rb"))
		wrk.method = "POST"
		wrk.body = f:read("*a")
		f:close()
		wrk.headers["Content-Type"] = "application/ocsp-request"
	end
end

function response(status, headers, body)
	-- 30 len(1..3 octets) 0a 01 00: successful
	local head = body:sub(1, 7)
	if status == 200 and head:byte(1) == 0x30 and
	    head:find("\10\1\0", 3, true) ~= nil then
		ok = ok + 1
	else
		other = other + 1
	end
	wrk.thread:set("ok", ok)
	wrk.thread:set("other", other)
end

function done(summary, latency, requests)
	local o, x = 0, 0
	for _, t in ipairs(threads) do
		o = o + (t:get("ok") or 0)
		x = x + (t:get("other") or 0)
	end
	local e = summary.errors
	io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f " ..
	    "p50_us=%d p90_us=%d p99_us=%d max_us=%d issued=%d other=%d " ..
	    "sent=%d errors=%d status_errors=%d\n",
	    summary.requests, summary.duration,
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, o, x, summary.requests,
	    e.connect + e.read + e.write + e.timeout, e.status))
end
