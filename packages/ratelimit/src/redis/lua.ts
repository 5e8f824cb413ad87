/**
 * The Lua script behind every Redis decision that is not one GCRA policy. One call decides a
 * batch of `m` decisions of one limiter (the decisions its store was asked for in one tick), in
 * order, atomically, all at one server time (`TIME`). KEYS: the `n` policy keys of decision 1,
 * then of decision 2, and so on. ARGV: `n`, algorithm/limit/windowMs per policy, the deadline,
 * the time override (the parity tests' instant in ms; the store sends `''`, which means `TIME`),
 * then one cost per decision, or a single cost that every decision of the batch has.
 * Each decision evaluates every policy of its key with the same arithmetic as the memory store
 * and consumes only when all allow; a later decision of the batch on the same key sees the state
 * the earlier ones left (it is kept in Lua tables: all keys are read by one `MGET`, each key is
 * written at most once per call). The deadline is the earliest of the batch's callers' deadlines
 * in Redis time (ms; `0` = none): a script that runs after it changes nothing and replies
 * `{-1, now}`.
 * Reply: `[allowed, remaining, resetMs, retryAfterMs]` per policy per decision, then the Redis
 * time it decided at (ms), as integers. Stored state and TTLs are the previous versions',
 * byte for byte (a GCRA state is its arrival time as a Lua number, which Redis writes at full
 * precision; the others `%.17g` numbers separated by spaces), so all versions share keys. Keys
 * are written with `PSETEX key <2 × windowMs, rounded up> state`: the value and expiry that
 * `SET … PX` wrote, in a command Redis parses with less work, the expiry passed as the string
 * Redis would have made of the number (~7% of the script's cost over distinct keys).
 * @internal
 */
export const DECIDE_SCRIPT = `
local n = tonumber(ARGV[1])
local m = #KEYS / n
local now = tonumber(ARGV[3 * n + 3])
if not now then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local deadline = tonumber(ARGV[3 * n + 2])
if deadline and deadline > 0 and now > deadline then return {-1, now} end
local EPS = 1e-6
local floor, ceil, max = math.floor, math.ceil, math.max
local shared = #ARGV == 3 * n + 4 and tonumber(ARGV[3 * n + 4])
local algs, limits, wins, pxs = {}, {}, {}, {}
for p = 1, n do
  algs[p], limits[p], wins[p] = tonumber(ARGV[3 * p - 1]), tonumber(ARGV[3 * p]), tonumber(ARGV[3 * p + 1])
  pxs[p] = tostring(ceil(2 * wins[p]))
end
local raws = redis.call('MGET', unpack(KEYS))
local A, B, C = {}, {}, {}
local policyOf, order = {}, {}
local na, nb, nc = {}, {}, {}
local out = {}

for d = 1, m do
  local cost = shared or tonumber(ARGV[3 * n + 3 + d])
  local all = true
  local first = (d - 1) * n
  for p = 1, n do
    local key = KEYS[first + p]
    local alg, limit, win = algs[p], limits[p], wins[p]
    local a = A[key]
    if a == nil then
      local raw = raws[first + p]
      if not raw then
        a = false
      elseif alg == 1 then
        a = tonumber(raw) or 0
      else
        local x, y, z = string.match(raw, '^(%S+) (%S+) ?(%S*)$')
        a, B[key], C[key] = tonumber(x) or 0, tonumber(y) or 0, tonumber(z) or 0
      end
      A[key] = a
    end
    local allowed, remaining, reset, retry
    if alg == 1 then
      local interval = win / limit
      local tat = now
      if a then tat = max(a, now) end
      local newTat = tat + cost * interval
      if cost > limit then
        allowed, remaining, reset, retry = false, (win - (tat - now)) / interval, tat - now, win
      elseif newTat - win - now > EPS then
        allowed, remaining, reset, retry = false, (win - (tat - now)) / interval, tat - now, newTat - win - now
      else
        na[p] = newTat
        allowed, remaining, reset, retry = true, (win - (newTat - now)) / interval, newTat - now, 0
      end
    else
      local b, c = 0, 0
      if a then b, c = B[key], C[key] else a = 0 end
      if alg == 2 then
        local interval = win / limit
        local elapsed = 0
        if now > b then elapsed = now - b end
        local used = max(0, a - elapsed / interval)
        if cost > limit then
          allowed, remaining, reset, retry = false, limit - used, used * interval, win
        elseif used + cost - limit > EPS then
          allowed, remaining, reset, retry = false, limit - used, used * interval, (used + cost - limit) * interval
        else
          na[p], nb[p], nc[p] = used + cost, max(now, b), 0
          allowed, remaining, reset, retry = true, limit - used - cost, (used + cost) * interval, 0
        end
      else
        local start = floor(now / win) * win
        local current, previous = 0, 0
        if a == start then
          current, previous = b, c
        elseif alg == 3 and a == start - win then
          previous = b
        end
        local elapsed = now - start
        reset = start + win - now
        local weighted = 0
        if alg == 3 then weighted = previous * (1 - elapsed / win) end
        remaining = limit - weighted - current
        if cost > limit then
          allowed, retry = false, win
        elseif weighted + current + cost - limit > EPS then
          allowed, retry = false, reset
          if alg == 3 then
            if current + cost <= limit then
              retry = win * (1 - (limit - current - cost) / previous) - elapsed
            else
              retry = win - elapsed + max(0, win * (1 - (limit - cost) / current))
            end
          end
        else
          na[p], nb[p], nc[p] = start, current + cost, previous
          allowed, retry = true, 0
          remaining = remaining - cost
        end
      end
    end
    local base = 4 * (first + p) - 4
    out[base + 1] = allowed and 1 or 0
    out[base + 2] = remaining > 0 and floor(remaining + EPS) or 0
    out[base + 3] = reset > 0 and ceil(reset - EPS) or 0
    if allowed or retry <= 0 then out[base + 4] = 0 else out[base + 4] = max(1, ceil(retry - EPS)) end
    if not allowed then all = false end
  end
  if all then
    if cost > 0 then
      for p = 1, n do
        local key = KEYS[first + p]
        A[key], B[key], C[key] = na[p], nb[p], nc[p]
        if not policyOf[key] then
          policyOf[key] = p
          order[#order + 1] = key
        end
      end
    end
  elseif n > 1 then
    for p = 1, n do
      local base = 4 * (first + p) - 4
      if out[base + 1] == 1 then out[base + 2] = out[base + 2] + cost end
    end
  end
end

for _, key in ipairs(order) do
  local p = policyOf[key]
  local alg, state = algs[p], A[key]
  if alg == 2 or alg == 4 then
    state = string.format('%.17g %.17g', state, B[key])
  elseif alg == 3 then
    state = string.format('%.17g %.17g %.17g', state, B[key], C[key])
  end
  redis.call('PSETEX', key, pxs[p], state)
end
out[4 * #KEYS + 1] = now
return out
`;

/**
 * The same GCRA as {@link DECIDE_SCRIPT}, for the common limiter of one GCRA policy: no
 * algorithm dispatch, and a shorter reply. KEYS: one key per decision of the batch; ARGV: limit,
 * windowMs, the deadline, the time override (`''` = `TIME`), then one cost per decision or a
 * single cost that every decision has. Same state, same arithmetic, every expression in the
 * same order, so the two scripts agree to the bit and share keys. All keys are read by one
 * `MGET`; a hot key is written once per call however many decisions it has in the batch.
 * Reply: `[remaining, resetMs, retryAfterMs]` per decision, then the Redis time (ms): a GCRA
 * denial always has `retryAfterMs ≥ 1` and an allowance `0`, so `retryAfterMs === 0` is
 * "allowed" ({@link DECIDE_SCRIPT} sends the flag as a fourth integer).
 * @internal
 */
export const GCRA_SCRIPT = `
local m = #KEYS
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local deadline = tonumber(ARGV[3])
if deadline and deadline > 0 and now > deadline then return {-1, now} end
local limit, win = tonumber(ARGV[1]), tonumber(ARGV[2])
local EPS = 1e-6
local interval = win / limit
local floor, ceil, tonumber = math.floor, math.ceil, tonumber
local shared = #ARGV == 5 and tonumber(ARGV[5])
local raws = redis.call('MGET', unpack(KEYS))
local tats, written, order, out = {}, {}, {}, {}
for d = 1, m do
  local key = KEYS[d]
  local cost = shared or tonumber(ARGV[4 + d])
  local stored = tats[key]
  if stored == nil then
    local raw = raws[d]
    stored = raw and (tonumber(raw) or 0) or false
    tats[key] = stored
  end
  local tat = now
  if stored then
    tat = stored
    if now > tat then tat = now end
  end
  local newTat = tat + cost * interval
  local base = 3 * d - 3
  if cost > limit or newTat - win - now > EPS then
    local retry = win
    if cost <= limit then retry = newTat - win - now end
    local remaining, reset = (win - (tat - now)) / interval, tat - now
    out[base + 1] = remaining > 0 and floor(remaining + EPS) or 0
    out[base + 2] = reset > 0 and ceil(reset - EPS) or 0
    retry = ceil(retry - EPS)
    if retry < 1 then retry = 1 end
    out[base + 3] = retry
  else
    if cost > 0 then
      tats[key] = newTat
      if not written[key] then
        written[key] = true
        order[#order + 1] = key
      end
    end
    local remaining, reset = (win - (newTat - now)) / interval, newTat - now
    out[base + 1] = remaining > 0 and floor(remaining + EPS) or 0
    out[base + 2] = reset > 0 and ceil(reset - EPS) or 0
    out[base + 3] = 0
  end
end
local px = tostring(ceil(2 * win))
for i = 1, #order do redis.call('PSETEX', order[i], px, tats[order[i]]) end
out[3 * m + 1] = now
return out
`;

/**
 * Gives back `cost` units that a decision at Redis time `at` consumed (ARGV: cost, at, then
 * algorithm/limit/windowMs per policy, like {@link DECIDE_SCRIPT}), for a caller that was denied
 * before the decision's reply reached it. GCRA moves the arrival time back by `cost` intervals
 * and the token bucket lowers its level by `cost`, so later decisions' charges stay in place; the
 * window algorithms take `cost` off the window the charge was counted in (the current one, or
 * the sliding window's previous one), and nothing once that window is gone (it no longer
 * counts). Counts never go below zero; TTLs are kept.
 * @internal
 */
export const REFUND_SCRIPT = `
local cost, at = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, #KEYS do
  local alg, limit, win = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local raw = redis.call('GET', KEYS[i])
  if raw then
    if alg == 1 then
      redis.call('SET', KEYS[i], (tonumber(raw) or 0) - cost * win / limit, 'KEEPTTL')
    else
      local x, y, z = string.match(raw, '^(%S+) (%S+) ?(%S*)$')
      local a, b, c = tonumber(x) or 0, tonumber(y) or 0, tonumber(z) or 0
      local state
      if alg == 2 then
        state = string.format('%.17g %.17g', math.max(0, a - cost), b)
      else
        local start = math.floor(at / win) * win
        if a == start then
          b = math.max(0, b - cost)
        elseif alg == 3 and a == start + win then
          c = math.max(0, c - cost)
        end
        if alg == 3 then
          state = string.format('%.17g %.17g %.17g', a, b, c)
        else
          state = string.format('%.17g %.17g', a, b)
        end
      end
      redis.call('SET', KEYS[i], state, 'KEEPTTL')
    end
  end
end
return 1
`;

/** Algorithm ids passed to the script. @internal */
export const ALGORITHM_IDS = Object.freeze({
  gcra: 1,
  'token-bucket': 2,
  'sliding-window': 3,
  'fixed-window': 4,
} as const);
