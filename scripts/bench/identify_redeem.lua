-- Identify, then redeem each issued code once: every answer to an identify
-- gives a code that the next request of the thread redeems. Half of the
-- requests are identify calls, half redemptions.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local identify_path = "/dg/v1/platform/identify/auth?platId=" .. env("AUTHSIM_BENCH_PLAT_ID")
local identify_headers = {
  ["Content-Type"] = "application/json",
  ["trace"] = "bench-identify",
  ["api-key"] = env("AUTHSIM_BENCH_API_KEY"),
  ["signature"] = env("AUTHSIM_BENCH_SIGNATURE"),
}
local identify_body = env("AUTHSIM_BENCH_BODY")
local redeem_headers = { ["Content-Type"] = "application/json", ["trace"] = "bench-redeem" }

local codes = {}
local first, last = 1, 0

function request()
  if first <= last then
    local code = codes[first]
    codes[first] = nil
    first = first + 1
    return wrk.format("POST", "/dg/v1/identify/redirect", redeem_headers, '{"ident_code":"' .. code .. '"}')
  end
  return wrk.format("POST", identify_path, identify_headers, identify_body)
end

function response(status, headers, body)
  -- Both answers are 200 with code 0; an identify answer carries a code.
  expect_status = 200
  expect_text = '"code":0'
  check(status, body)
  local code = string.match(body, '"ident_code":"(%x+)"')
  if code ~= nil then
    last = last + 1
    codes[last] = code
  end
end
