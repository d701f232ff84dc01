-- wrk script: each request uses the next "key:secret" line of the file named in CREDENTIALS (Basic auth),
-- so the load spreads over many distinct keys (or many forged ones). Reports p50/p99 on exit.
local file = os.getenv("CREDENTIALS")
local pairs_ = {}
for line in io.lines(file) do
  pairs_[#pairs_ + 1] = line
end
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function base64(data)
  return ((data:gsub('.', function(x)
    local r, b = '', x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d?%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end
local headers = {}
for i, p in ipairs(pairs_) do headers[i] = "Basic " .. base64(p) end
local counter = 0
function setup(thread)
  thread:set("offset", math.random(#headers))
end
request = function()
  counter = counter + 1
  local h = headers[((counter + (offset or 0)) % #headers) + 1]
  return wrk.format("GET", "/api/v1/me", { ["Authorization"] = h })
end
