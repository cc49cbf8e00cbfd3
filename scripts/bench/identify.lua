-- Signed Credit Pay identify. The body (token_expire far ahead) is signed
-- once by scripts/bench.sh: the signature covers no nonce, so the same
-- request can repeat and every call issues a new code.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

expect_status = 200
expect_text = '"code":0'

set_identify_request(env("AUTHSIM_BENCH_SIGNATURE"), "bench-identify")

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
