-- bench/wrk.lua — the request of a Bulwark row that is not a plain GET (bench/run passes it
-- with `wrk -s` and sets these environment variables; headers given with -H are kept):
--   BENCH_BODY    a file: every request is a POST of its bytes (Content-Type: application/json)
--   BENCH_TOKENS  a file of bearer tokens, one per line: request i carries token i (cycling),
--                 so a gateway sees a different token on each request until the list wraps
--   BENCH_IDEM_KEYS  a prefix: request i carries Idempotency-Key "<prefix><thread>-<i>", so
--                 every request is a first execution (the idempotent POST row)
--   BENCH_REFRESH a file of refresh tokens never used, one per line (at least one per connection):
--                 every request is a POST {"refresh_token": ...} with a token never used before.
--                 Refresh tokens rotate on every use, so each 200 answer's new refresh_token goes
--                 to a queue and the next request (of any connection of the thread) takes the
--                 oldest one; a refused refresh yields none, and once the queue is empty the
--                 requests carry a spent token and are refused too (counted as errors).
--                 BENCH_REFRESH_THREADS: wrk's -t; thread k takes lines k, k+T, k+2T...
local body_file, tokens_file = os.getenv("BENCH_BODY"), os.getenv("BENCH_TOKENS")
local idem_prefix = os.getenv("BENCH_IDEM_KEYS")
local refresh_file = os.getenv("BENCH_REFRESH")

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

if refresh_file and refresh_file ~= "" then
  local queue, head, tail, threads = {}, 1, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  function setup(thread)   -- the main script: number the threads before their init
    threads = threads + 1
    thread:set("thread_no", threads)
  end
  function init(args)
    local every = tonumber(os.getenv("BENCH_REFRESH_THREADS") or "1") or 1
    local k, line_no = thread_no or 1, 0
    for token in io.lines(refresh_file) do
      if token ~= "" then
        line_no = line_no + 1
        if (line_no - 1) % every == k - 1 then tail = tail + 1; queue[tail] = token end
      end
    end
    assert(tail > 0, "no refresh tokens in " .. refresh_file)
  end
  function request()
    local token = "spent"
    if head <= tail then
      token = queue[head]
      queue[head] = nil
      head = head + 1
    end
    return wrk.format(nil, nil, nil, '{"refresh_token":"' .. token .. '"}')
  end
  function response(status, headers, body)
    if status == 200 then
      local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
      if token then tail = tail + 1; queue[tail] = token end
    end
  end
end
