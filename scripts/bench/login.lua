-- UOCS login with the demo account: the same request every time.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

expect_status = 200
expect_text = '"success":true'

wrk.method = "POST"
wrk.path = "/apis-auth/login/auth"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"00:FF:16:4B:63:57",'
  .. '"hostName":"SF0001304522C","requestId":"bench-1","ip":"192.168.255.10","userId":"fc0001",'
  .. '"password":"8bb2423a0e1c4d0a"}'
