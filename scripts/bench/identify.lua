-- Signed Credit Pay identify. The body (token_expire far ahead) is signed
-- once by scripts/bench.sh: the signature covers no nonce, so the same
-- request can repeat and every call issues a new code.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

expect_status = 200
expect_text = '"code":0'

wrk.method = "POST"
wrk.path = "/dg/v1/platform/identify/auth?platId=" .. env("AUTHSIM_BENCH_PLAT_ID")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["trace"] = "bench-identify"
wrk.headers["api-key"] = env("AUTHSIM_BENCH_API_KEY")
wrk.headers["signature"] = env("AUTHSIM_BENCH_SIGNATURE")
wrk.body = env("AUTHSIM_BENCH_BODY")

-- With AUTHSIM_BENCH_STOP_AFTER=N each thread stops after N answers: the
-- memory mode issues an exact number of codes this way.
local stop_after = tonumber(os.getenv("AUTHSIM_BENCH_STOP_AFTER") or "")
local answered = 0

function response(status, headers, body)
  check(status, body)
  answered = answered + 1
  if stop_after ~= nil and answered >= stop_after then
    wrk.thread:stop()
  end
end
