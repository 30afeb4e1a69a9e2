-- wrk_submit.lua - wrk script for bench/http.sh: submits CSRs, each once.
--
--   wrk -t T -c C -d D --latency -s bench/wrk_submit.lua URL -- \
--       MODE CSRFILE T RUNDIR [TOKEN]
--
-- MODE certward: POST /api/v1/requests {template web-server, service bench,
--   csr} with "Authorization: Bearer TOKEN"; a 201 whose body says
--   "state":"issued" counts as issued, and its serial is appended to
--   RUNDIR/serials.THREAD (so that the script can check them against the
--   store).
-- MODE cfssl: POST /api/v1/cfssl/sign {certificate_request}; a 200 with
--   "success":true counts as issued.  cfssl keeps nothing, so a thread
--   that is through its CSRs starts over, at most CFSSL_PASSES times: its
--   runs end by time, not by a pool sized for certward.
-- CSRFILE: one CSR per line, as a JSON string literal (quotes included).
--   Thread k of T takes lines k, k+T, k+2T, ...: no CSR is sent twice
--   (certward refuses a key it has seen: key_reuse deny).  A thread that
--   has sent all of its CSRs sends nothing more and stops once their
--   answers are in (RUNDIR/done.THREAD); the last thread to finish sends
--   wrk the SIGINT that ends the run early, so the run ends by itself at
--   the CSR count when that comes before wrk's -d (keep -d under an
--   hour), and wrk's duration and requests/s stay right.
-- done() prints one line "RESULT key=value ..." for bench/http.sh.

local ffi = require("ffi")
ffi.cdef [[
int kill(int pid, int sig);
int getpid(void);
]]
local SIGINT = 2
local CFSSL_PASSES = 20

local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local csrs = {}
local next_csr = 1
local sent, answered, issued, other, spilled = 0, 0, 0, 0, 0
local mode, out, verifying, rundir, nthreads, id
local passes = 1

-- The CSR to send next, or nil when this thread is through.
local function next_one()
	if csrs[next_csr] == nil and mode == "cfssl" and
	    passes < CFSSL_PASSES and #csrs > 0 then
		next_csr = 1
		passes = passes + 1
	end
	return csrs[next_csr]
end

function init(args)
	mode = args[1]
	local path, token = args[2], args[5]
	nthreads, rundir = tonumber(args[3]), args[4]
	id = wrk.thread:get("id")
	-- wrk calls thread 0's request() once before the run to check it
	-- (script_verify_request); that request is never sent
	verifying = id == 0
	local i = 0
	for line in io.lines(path) do
		if i % nthreads == id then
			csrs[#csrs + 1] = line
		end
		i = i + 1
	end
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	if mode == "certward" then
		wrk.path = "/api/v1/requests"
		wrk.headers["Authorization"] = "Bearer " .. token
		out = io.open(rundir .. "/serials." .. id, "w")
	elseif mode == "cfssl" then
		wrk.path = "/api/v1/cfssl/sign"
	else
		error("wrk_submit.lua: MODE is certward or cfssl")
	end
end

-- A thread that has sent all of its CSRs parks its connections: delay()
-- (called before every request) holds them for an hour, and response()
-- stops the thread once the last answer is in.  (Returning an empty
-- request instead makes wrk count write errors and reconnect.)  wrk skips
-- delay() on a connection it has just reopened, so request() may still be
-- asked for one: it sends GET /wrk-spill, which neither server knows
-- (404; a submission is never answered 404), and response() leaves those
-- answers out of every count.
function delay()
	if next_one() == nil then
		return 3600 * 1000
	end
	return 0
end

function request()
	local c = next_one()
	if verifying then
		verifying = false
		return wrk.format(nil, nil, nil, "{}")
	end
	if c == nil then
		spilled = spilled + 1
		return wrk.format("GET", "/wrk-spill")
	end
	next_csr = next_csr + 1
	sent = sent + 1
	local body
	if mode == "certward" then
		body = '{"template":"web-server","service":"bench","csr":' ..
		    c .. '}'
	else
		body = '{"certificate_request":' .. c .. '}'
	end
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 404 and spilled > 0 then
		wrk.thread:set("spilled", spilled)
		return
	end
	answered = answered + 1
	if mode == "certward" then
		if status == 201 and body:find('"state":"issued"', 1, true) then
			issued = issued + 1
			if out ~= nil then
				out:write(body:match('"serial":"(%x+)"'), "\n")
			end
		else
			other = other + 1
		end
	elseif status == 200 and body:find('"success":true', 1, true) then
		issued = issued + 1
	else
		other = other + 1
	end
	wrk.thread:set("sent", sent)
	wrk.thread:set("issued", issued)
	wrk.thread:set("other", other)
	if next_one() == nil and answered >= sent then
		finish()
	end
end

-- This thread is through: stop it, and end the run if it is the last.
function finish()
	if out ~= nil then
		out:close()
		out = nil
	end
	io.open(rundir .. "/done." .. id, "w"):close()
	wrk.thread:stop()
	for k = 0, nthreads - 1 do
		local f = io.open(rundir .. "/done." .. k, "r")
		if f == nil then
			return
		end
		f:close()
	end
	-- wrk's main thread sleeps for -d; SIGINT wakes it to report
	ffi.C.kill(ffi.C.getpid(), SIGINT)
end

function done(summary, latency, requests)
	local s, i, o, x = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		s = s + (t:get("sent") or 0)
		i = i + (t:get("issued") or 0)
		o = o + (t:get("other") or 0)
		x = x + (t:get("spilled") or 0)
	end
	local e = summary.errors
	io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f " ..
	    "p50_us=%d p90_us=%d p99_us=%d max_us=%d issued=%d other=%d " ..
	    "sent=%d errors=%d status_errors=%d spilled=%d\n",
	    summary.requests - x, summary.duration,
	    (summary.requests - x) / (summary.duration / 1e6),
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, i, o, s,
	    e.connect + e.read + e.write + e.timeout, e.status - x, x))
end
