-- bench/wrk.lua — the request of a Bulwark row that is not a plain GET (bench/run passes it
-- with `wrk -s` and sets these environment variables; headers given with -H are kept):
--   BENCH_BODY    a file: every request is a POST of its bytes (Content-Type: application/json)
--   BENCH_TOKENS  a file of bearer tokens, one per line: request i carries token i (cycling),
--                 so a gateway sees a different token on each request until the list wraps
--   BENCH_IDEM_KEYS  a prefix: request i carries Idempotency-Key "<prefix><thread>-<i>", so
--                 every request is a first execution (the idempotent POST row)
local body_file, tokens_file = os.getenv("BENCH_BODY"), os.getenv("BENCH_TOKENS")
local idem_prefix = os.getenv("BENCH_IDEM_KEYS")

if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

if tokens_file and tokens_file ~= "" then
  local requests, n, i = {}, 0, 0
  -- every request string is built once, before the run: request() only picks the next one
  function init(args)
    for token in io.lines(tokens_file) do
      if token ~= "" then
        local h = {}
        for k, v in pairs(wrk.headers) do h[k] = v end
        h["Authorization"] = "Bearer " .. token
        n = n + 1
        requests[n] = wrk.format(nil, nil, h, nil)
      end
    end
    assert(n > 0, "no tokens in " .. tokens_file)
  end
  function request()
    i = i % n + 1
    return requests[i]
  end
end

if idem_prefix and idem_prefix ~= "" then
  local n, thread_id = 0, tostring(math.random(1, 1000000000))
  function request()
    n = n + 1
    local h = {}
    for k, v in pairs(wrk.headers) do h[k] = v end
    h["Idempotency-Key"] = '"' .. idem_prefix .. thread_id .. "-" .. n .. '"'
    return wrk.format(nil, nil, h, nil)
  end
end
