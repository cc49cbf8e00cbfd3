-- The identify request with a signature that does not match: refused with
-- 401 and code 40105. A refusal must cost no more than an acceptance.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

expect_status = 401
expect_text = '"code":40105'

-- The right length and alphabet, the wrong value.
set_identify_request("AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "bench-bad-signature")
