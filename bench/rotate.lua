-- wrk script: each request sends the next Authorization header value of the file named in CREDENTIALS (one
-- "Basic ..." value per line, written by bench/run.sh), so the load spreads over many distinct keys (or many forged
-- ones). The values are encoded beforehand: encoding 100,000 of them in Lua would take the run's first seconds.
local file = os.getenv("CREDENTIALS")
local headers = {}
for line in io.lines(file) do
  headers[#headers + 1] = line
end
local counter = 0
function setup(thread)
  thread:set("offset", math.random(#headers))
end
request = function()
  counter = counter + 1
  local h = headers[((counter + (offset or 0)) % #headers) + 1]
  return wrk.format("GET", "/api/v1/me", { ["Authorization"] = h })
end
