-- The identify request with a signature that does not match: refused with
-- 401 and code 40105. A refusal must cost no more than an acceptance.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

expect_status = 401
expect_text = '"code":40105'

wrk.method = "POST"
wrk.path = "/dg/v1/platform/identify/auth?platId=" .. env("AUTHSIM_BENCH_PLAT_ID")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["trace"] = "bench-bad-signature"
wrk.headers["api-key"] = env("AUTHSIM_BENCH_API_KEY")
-- The right length and alphabet, the wrong value.
wrk.headers["signature"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
wrk.body = env("AUTHSIM_BENCH_BODY")
