// Lua scripts of the Redis store. Each runs atomically, so claims, completions and requeues
// are race-free across any number of worker processes. Internal to `@bulwark/delivery/redis`.
// Records are flat JSON objects (cjson); `p` is the key prefix (ARGV[1]).
//
// Claimable deliveries (pending, or inflight with their lease expiry as score) live in one
// sorted set per endpoint, `<p>:q:<endpointId>`, scored by `nextAt`; `<p>:heads` scores each
// endpoint with work by the earliest `nextAt` of its set. A claim reads the heads that are due,
// skips the endpoints it was told to leave alone, and takes the oldest due deliveries of the
// others: it reads what it claims plus at most one head per excluded endpoint, never the backlog.
//
// Payload bodies are stored once per distinct body: `<p>:pl` maps a body's SHA-256 (the record's
// `payloadHash`) to the body and `<p>:plref` counts the deliveries referencing it; the last prune
// of a reference deletes both. Records written before this layout keep `payload` inline.

import { createHash } from 'node:crypto';

const shas = new Map<string, string>();

/** The SHA-1 Redis names `script` by (EVALSHA), computed once per script. */
export function scriptSha(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

/** Redis does not hold the script (yet, or any more): send its text once with EVAL. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** Re-scores an endpoint in `<p>:heads` from the first entry of its queue (or drops it). */
const HEAD = `
local function head(p, endpointId)
  local first = redis.call('ZRANGE', p .. ':q:' .. endpointId, 0, 0, 'WITHSCORES')
  if first[1] then
    redis.call('ZADD', p .. ':heads', first[2], endpointId)
  else
    redis.call('ZREM', p .. ':heads', endpointId)
  end
end
-- One HINCRBY per status a script changed, not one per delivery.
local function addCounts(p, counts)
  for status, delta in pairs(counts) do
    if delta ~= 0 then redis.call('HINCRBY', p .. ':counts', status, delta) end
  end
end`;

// ARGV: p, the number k of payloads, k (hash, body) pairs, then the records.
export const ENQUEUE = `${HEAD}
local p, k = ARGV[1], tonumber(ARGV[2])
local bodies = {}
for i = 3, 2 + 2 * k, 2 do bodies[ARGV[i]] = ARGV[i + 1] end
local inserted, touched, counts = {}, {}, {}
for i = 3 + 2 * k, #ARGV do
  local rec = cjson.decode(ARGV[i])
  if redis.call('HSETNX', p .. ':d', rec.id, ARGV[i]) == 1 then
    if redis.call('HINCRBY', p .. ':plref', rec.payloadHash, 1) == 1 then
      redis.call('HSET', p .. ':pl', rec.payloadHash, bodies[rec.payloadHash])
    end
    redis.call('ZADD', p .. ':q:' .. rec.endpointId, rec.nextAt, rec.id)
    touched[rec.endpointId] = true
    redis.call('ZADD', p .. ':ids', 0, rec.id)
    redis.call('SADD', p .. ':msg:' .. rec.messageId, rec.id)
    counts[rec.status] = (counts[rec.status] or 0) + 1
    inserted[#inserted + 1] = rec.id
  end
end
for endpointId in pairs(touched) do head(p, endpointId) end
addCounts(p, counts)
return inserted`;

export const CLAIM = `${HEAD}
local p, now, untilT, token = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local limit, perEndpoint, capsEnd = tonumber(ARGV[5]), tonumber(ARGV[6]), 7 + 2 * tonumber(ARGV[7])
-- Caps: (endpoint, most it may still take) pairs; a cap below 1 skips the endpoint.
local caps, exclude, excluded = {}, {}, 0
for i = 8, capsEnd, 2 do
  local cap = tonumber(ARGV[i + 1])
  caps[ARGV[i]] = cap
  if cap < 1 then
    exclude[ARGV[i]] = true
    excluded = excluded + 1
  end
end
for i = capsEnd + 1, #ARGV do
  if not exclude[ARGV[i]] then
    exclude[ARGV[i]] = true
    excluded = excluded + 1
  end
end
-- Pairs: each claimed record, then its body ('' when the record holds it inline).
local out, claimed, pending = {}, 0, 0
-- Each due head not excluded yields at least one delivery: limit + excluded heads are enough.
local endpoints = redis.call('ZRANGEBYSCORE', p .. ':heads', '-inf', now, 'LIMIT', 0, limit + excluded)
for _, endpointId in ipairs(endpoints) do
  if claimed >= limit then break end
  if not exclude[endpointId] then
    local queue = p .. ':q:' .. endpointId
    local n = math.min(limit - claimed, perEndpoint, caps[endpointId] or perEndpoint)
    local ids = redis.call('ZRANGEBYSCORE', queue, '-inf', now, 'LIMIT', 0, n)
    for _, id in ipairs(ids) do
      local rec = cjson.decode(redis.call('HGET', p .. ':d', id))
      if rec.status == 'pending' then pending = pending + 1 end
      rec.status = 'inflight'
      rec.leaseToken = token
      rec.nextAt = untilT
      rec.updatedAt = now
      local encoded = cjson.encode(rec)
      redis.call('HSET', p .. ':d', id, encoded)
      redis.call('ZADD', queue, untilT, id)
      claimed = claimed + 1
      out[#out + 1] = encoded
      out[#out + 1] = rec.payloadHash and redis.call('HGET', p .. ':pl', rec.payloadHash) or ''
    end
    head(p, endpointId)
  end
end
addCounts(p, { pending = -pending, inflight = pending })
return out`;

export const RENEW = `${HEAD}
local p, untilT = ARGV[1], tonumber(ARGV[2])
local renewed, touched = {}, {}
for i = 3, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local raw = redis.call('HGET', p .. ':d', id)
  if raw then
    local rec = cjson.decode(raw)
    if rec.status == 'inflight' and rec.leaseToken == token then
      rec.nextAt = untilT
      redis.call('HSET', p .. ':d', id, cjson.encode(rec))
      redis.call('ZADD', p .. ':q:' .. rec.endpointId, untilT, id)
      touched[rec.endpointId] = true
      renewed[#renewed + 1] = id
    end
  end
end
for endpointId in pairs(touched) do head(p, endpointId) end
return renewed`;

// ARGV: p, then 7 per completion (id, token, status, nextAt, lastError as JSON, now, attempt
// JSON or ''). Answers 1 or 0 (lease lost) per completion; each endpoint's head is re-scored once.
export const COMPLETE = `${HEAD}
local p = ARGV[1]
local done, touched, counts = {}, {}, {}
for i = 2, #ARGV, 7 do
  local id, token, status, nextAt, lastError, now, attempt =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), cjson.decode(ARGV[i + 4]), tonumber(ARGV[i + 5]), ARGV[i + 6]
  local raw = redis.call('HGET', p .. ':d', id)
  local rec = raw and cjson.decode(raw)
  if rec and rec.status == 'inflight' and rec.leaseToken == token then
    counts.inflight = (counts.inflight or 0) - 1
    counts[status] = (counts[status] or 0) + 1
    rec.status = status
    rec.nextAt = nextAt
    rec.updatedAt = now
    rec.leaseToken = cjson.null
    rec.lastError = lastError
    if attempt ~= '' then
      rec.attempts = rec.attempts + 1
      rec.totalAttempts = rec.totalAttempts + 1
      -- The attempt arrives as a JSON object without its number n: n is spliced in, not re-encoded.
      local rest = string.sub(attempt, 2)
      if rest ~= '}' then rest = ',' .. rest end
      redis.call('RPUSH', p .. ':att:' .. id, '{"n":' .. rec.totalAttempts .. rest)
    end
    local queue = p .. ':q:' .. rec.endpointId
    if status == 'pending' then
      redis.call('ZADD', queue, nextAt, id)
    else
      redis.call('ZREM', queue, id)
    end
    touched[rec.endpointId] = true
    if status == 'succeeded' then
      redis.call('ZADD', p .. ':done', now, id)
    end
    if status == 'dead' then
      redis.call('ZADD', p .. ':dead', now, id)
      redis.call('HINCRBY', p .. ':deadby', rec.endpointId, 1)
    end
    redis.call('HSET', p .. ':d', id, cjson.encode(rec))
    done[#done + 1] = 1
  else
    done[#done + 1] = 0
  end
end
for endpointId in pairs(touched) do head(p, endpointId) end
addCounts(p, counts)
return done`;

export const REQUEUE = `${HEAD}
local p, now, messageId, endpointId = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local statuses, touched = {}, {}
for s in string.gmatch(ARGV[5], '[^,]+') do statuses[s] = true end
local n = 0
for i = 6, #ARGV do
  local id = ARGV[i]
  local raw = redis.call('HGET', p .. ':d', id)
  if raw then
    local rec = cjson.decode(raw)
    if statuses[rec.status] and (messageId == '' or rec.messageId == messageId)
      and (endpointId == '' or rec.endpointId == endpointId) then
      redis.call('HINCRBY', p .. ':counts', rec.status, -1)
      redis.call('HINCRBY', p .. ':counts', 'pending', 1)
      if rec.status == 'dead' then
        redis.call('ZREM', p .. ':dead', id)
        redis.call('HINCRBY', p .. ':deadby', rec.endpointId, -1)
      end
      redis.call('ZREM', p .. ':done', id)
      rec.status = 'pending'
      rec.nextAt = now
      rec.attempts = 0
      rec.updatedAt = now
      redis.call('HSET', p .. ':d', id, cjson.encode(rec))
      redis.call('ZADD', p .. ':q:' .. rec.endpointId, now, id)
      touched[rec.endpointId] = true
      n = n + 1
    end
  end
end
for endpoint in pairs(touched) do head(p, endpoint) end
return n`;

// \`:done\` holds the ids of succeeded deliveries scored by updatedAt (COMPLETE adds, REQUEUE
// removes), so pruning reads only what it deletes. An id whose record is no longer succeeded
// is dropped from the set without deleting the record. Succeeded deliveries are in no queue.
export const PRUNE = `
local p, before, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', p .. ':done', '-inf', '(' .. before, 'LIMIT', 0, limit)
local n = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', p .. ':done', id)
  local raw = redis.call('HGET', p .. ':d', id)
  if raw then
    local rec = cjson.decode(raw)
    if rec.status == 'succeeded' then
      redis.call('HDEL', p .. ':d', id)
      redis.call('ZREM', p .. ':ids', id)
      redis.call('SREM', p .. ':msg:' .. rec.messageId, id)
      redis.call('DEL', p .. ':att:' .. id)
      redis.call('HINCRBY', p .. ':counts', 'succeeded', -1)
      if rec.payloadHash and redis.call('HINCRBY', p .. ':plref', rec.payloadHash, -1) <= 0 then
        redis.call('HDEL', p .. ':pl', rec.payloadHash)
        redis.call('HDEL', p .. ':plref', rec.payloadHash)
      end
      n = n + 1
    end
  end
end
return n`;
