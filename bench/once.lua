-- wrk script: sends each Authorization header value of the file named in CREDENTIALS once, in order, and exits
-- when every one has been answered: the pass that first shows each key to the app before the timed loads. wrk waits
-- out its whole duration even when its threads stop, so this exits the process; bench/run.sh times the pass itself.
local file = os.getenv("CREDENTIALS")
local headers = {}
for line in io.lines(file) do
  headers[#headers + 1] = line
end
local sent = 0
local answered = 0
request = function()
  sent = sent + 1
  local h = headers[((sent - 1) % #headers) + 1]
  return wrk.format("GET", "/api/v1/me", { ["Authorization"] = h })
end
response = function(status, headers_, body)
  answered = answered + 1
  if answered >= #headers then
    os.exit(0)
  end
end
