-- Shared by the benchmark scripts: every answer is checked against what the
-- scenario expects, and the count of unexpected answers is reported at the
-- end, so a fast run of wrong answers cannot pass for a good one.
--
-- A scenario script sets `expect_status` and `expect_text` (a plain
-- substring of the body) before including this file with dofile.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  first_unexpected = ""
end

function check(status, body)
  if status ~= expect_status or (expect_text ~= nil and not string.find(body, expect_text, 1, true)) then
    unexpected = unexpected + 1
    if first_unexpected == "" then
      first_unexpected = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function response(status, headers, body)
  check(status, body)
end

function done(summary, latency, requests)
  local total = 0
  local first = ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    if first == "" then
      first = thread:get("first_unexpected")
    end
  end
  io.write(string.format("unexpected answers: %d\n", total))
  if total > 0 then
    io.write("first unexpected answer: " .. first .. "\n")
  end
end

function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set (scripts/bench.sh sets it)")
  end
  return value
end

-- The signed Credit Pay identify request of scripts/bench.sh, with the
-- given signature header.
function set_identify_request(signature, trace)
  wrk.method = "POST"
  wrk.path = "/dg/v1/platform/identify/auth?platId=" .. env("AUTHSIM_BENCH_PLAT_ID")
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["trace"] = trace
  wrk.headers["api-key"] = env("AUTHSIM_BENCH_API_KEY")
  wrk.headers["signature"] = signature
  wrk.body = env("AUTHSIM_BENCH_BODY")
end
