-- pipeline.lua makes wrk send 16 requests for / in one write on each
-- connection and wait for all 16 responses before it sends the next batch.
-- wrk counts every response as a request.

local depth = 16
local batch

function init(args)
  local reqs = {}
  for i = 1, depth do
    reqs[i] = wrk.format(nil, "/")
  end
  batch = table.concat(reqs)
end

function request()
  return batch
end
