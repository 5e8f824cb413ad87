/**
 * The one Lua script behind every Redis decision. It reads the server clock (`TIME`), evaluates
 * each policy of the key (KEYS[i], ARGV: cost, then algorithm/limit/windowMs per policy) with the
 * same arithmetic as the memory store, and writes every policy's new state only when all allow.
 * The next ARGV is the caller's deadline in Redis time (ms; `0` = none): a script that runs after
 * it changes nothing and replies `{-1, now}`, because the caller was already denied. An extra
 * last ARGV overrides the time; only the parity tests pass it, the store never does.
 * Reply: `[allowed, remaining, resetMs, retryAfterMs]` per policy, then the Redis time it
 * decided at (ms), as integers.
 * GCRA's new timestamp goes to `SET` as a Lua number: Redis converts numbers in `redis.call`
 * arguments at full double precision itself, so the script need not `string.format` it.
 * @internal
 */
export const DECIDE_SCRIPT = `
local n = #KEYS
local now = tonumber(ARGV[3 * n + 3])
if not now then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local deadline = tonumber(ARGV[3 * n + 2])
if deadline and deadline > 0 and now > deadline then return {-1, now} end
local cost = tonumber(ARGV[1])
local EPS = 1e-6
local out, nexts = {}, {}
local all = true

for i = 1, n do
  local alg = tonumber(ARGV[3 * i - 1])
  local limit = tonumber(ARGV[3 * i])
  local win = tonumber(ARGV[3 * i + 1])
  local raw = redis.call('GET', KEYS[i])
  local allowed, remaining, reset, retry
  if alg == 1 then
    local interval = win / limit
    local tat = now
    if raw then tat = math.max(tonumber(raw) or 0, now) end
    local newTat = tat + cost * interval
    if cost > limit then
      allowed, remaining, reset, retry = false, (win - (tat - now)) / interval, tat - now, win
    elseif newTat - win - now > EPS then
      allowed, remaining, reset, retry = false, (win - (tat - now)) / interval, tat - now, newTat - win - now
    else
      nexts[i] = newTat
      allowed, remaining, reset, retry = true, (win - (newTat - now)) / interval, newTat - now, 0
    end
  else
    local a, b, c = 0, 0, 0
    if raw then
      local x, y, z = string.match(raw, '^(%S+) (%S+) ?(%S*)$')
      a, b, c = tonumber(x) or 0, tonumber(y) or 0, tonumber(z) or 0
    end
    if alg == 2 then
      local interval = win / limit
      local elapsed = 0
      if now > b then elapsed = now - b end
      local used = math.max(0, a - elapsed / interval)
      if cost > limit then
        allowed, remaining, reset, retry = false, limit - used, used * interval, win
      elseif used + cost - limit > EPS then
        allowed, remaining, reset, retry = false, limit - used, used * interval, (used + cost - limit) * interval
      else
        nexts[i] = string.format('%.17g %.17g', used + cost, math.max(now, b))
        allowed, remaining, reset, retry = true, limit - used - cost, (used + cost) * interval, 0
      end
    else
      local start = math.floor(now / win) * win
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
            retry = win - elapsed + math.max(0, win * (1 - (limit - cost) / current))
          end
        end
      else
        if alg == 3 then
          nexts[i] = string.format('%.17g %.17g %.17g', start, current + cost, previous)
        else
          nexts[i] = string.format('%.17g %.17g', start, current + cost)
        end
        allowed, retry = true, 0
        remaining = remaining - cost
      end
    end
  end
  local base = 4 * i - 4
  out[base + 1] = allowed and 1 or 0
  out[base + 2] = remaining > 0 and math.floor(remaining + EPS) or 0
  out[base + 3] = reset > 0 and math.ceil(reset - EPS) or 0
  if allowed or retry <= 0 then out[base + 4] = 0 else out[base + 4] = math.max(1, math.ceil(retry - EPS)) end
  if not allowed then all = false end
end

if all then
  if cost > 0 then
    for i = 1, n do
      redis.call('SET', KEYS[i], nexts[i], 'PX', math.ceil(2 * tonumber(ARGV[3 * i + 1])))
    end
  end
elseif n > 1 then
  for i = 1, n do
    if out[4 * i - 3] == 1 then out[4 * i - 2] = out[4 * i - 2] + cost end
  end
end
out[4 * n + 1] = now
return out
`;

/**
 * The same GCRA as {@link DECIDE_SCRIPT}, for the common limiter of one GCRA policy: no loop,
 * no algorithm dispatch, one key, ARGV `cost, limit, windowMs, deadline` (and the parity tests'
 * time override). Same key, same stored state, same reply, every expression in the same order, so
 * the two scripts agree to the bit and can share keys. ~10% less Redis time per decision.
 * @internal
 */
export const GCRA_SCRIPT = `
local now = tonumber(ARGV[5])
if not now then
  local t = redis.call('TIME')
  now = t[1] * 1000 + t[2] / 1000
end
local deadline = tonumber(ARGV[4])
if deadline and deadline > 0 and now > deadline then return {-1, now} end
local cost, limit, win = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local EPS = 1e-6
local interval = win / limit
local tat = now
local raw = redis.call('GET', KEYS[1])
if raw then tat = math.max(tonumber(raw) or 0, now) end
local newTat = tat + cost * interval
local remaining, reset, retry
if cost > limit then
  remaining, reset, retry = (win - (tat - now)) / interval, tat - now, win
elseif newTat - win - now > EPS then
  remaining, reset, retry = (win - (tat - now)) / interval, tat - now, newTat - win - now
else
  if cost > 0 then redis.call('SET', KEYS[1], newTat, 'PX', math.ceil(2 * win)) end
  remaining, reset = (win - (newTat - now)) / interval, newTat - now
  return {1, remaining > 0 and math.floor(remaining + EPS) or 0, reset > 0 and math.ceil(reset - EPS) or 0, 0, now}
end
return {
  0,
  remaining > 0 and math.floor(remaining + EPS) or 0,
  reset > 0 and math.ceil(reset - EPS) or 0,
  retry > 0 and math.max(1, math.ceil(retry - EPS)) or 0,
  now,
}
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
