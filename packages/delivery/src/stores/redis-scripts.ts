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
end
-- One variadic command for many members (ZADD score-member pairs, SADD, ZREM, HSET pairs), in
-- slices small enough for unpack's stack: a script call costs per command, not per member.
local function many(command, key, args)
  for i = 1, #args, 4000 do
    redis.call(command, key, unpack(args, i, math.min(i + 3999, #args)))
  end
end
-- Appends a (and b, if given) to the list held under key in table t, creating it.
local function push(t, key, a, b)
  local list = t[key]
  if not list then
    list = {}
    t[key] = list
  end
  list[#list + 1] = a
  if b ~= nil then list[#list + 1] = b end
end`;

// ARGV: p, the number k of payloads, k (hash, body) pairs, then 7 per record: id, endpointId,
// messageId, nextAt, status, payloadHash and the record's JSON, which the script stores as sent
// (never decodes). Each record is one HSETNX (the insert-once check); its queue, index, message
// set and payload reference are written with one command per key for the whole call.
export const ENQUEUE = `${HEAD}
local p, k = ARGV[1], tonumber(ARGV[2])
local bodies = {}
for i = 3, 2 + 2 * k, 2 do bodies[ARGV[i]] = ARGV[i + 1] end
local inserted, queues, ids, messages, refs, counts = {}, {}, {}, {}, {}, {}
for i = 3 + 2 * k, #ARGV, 7 do
  local id, endpointId, messageId, nextAt, status, hash =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  if redis.call('HSETNX', p .. ':d', id, ARGV[i + 6]) == 1 then
    refs[hash] = (refs[hash] or 0) + 1
    push(queues, endpointId, nextAt, id)
    ids[#ids + 1] = 0
    ids[#ids + 1] = id
    push(messages, messageId, id)
    counts[status] = (counts[status] or 0) + 1
    inserted[#inserted + 1] = id
  end
end
-- A body is stored by the call that takes its reference count from 0.
local stored = {}
for hash, n in pairs(refs) do
  if redis.call('HINCRBY', p .. ':plref', hash, n) == n then
    stored[#stored + 1] = hash
    stored[#stored + 1] = bodies[hash]
  end
end
many('HSET', p .. ':pl', stored)
many('ZADD', p .. ':ids', ids)
for messageId, members in pairs(messages) do many('SADD', p .. ':msg:' .. messageId, members) end
for endpointId, members in pairs(queues) do
  many('ZADD', p .. ':q:' .. endpointId, members)
  head(p, endpointId)
end
addCounts(p, counts)
return inserted`;

// Per endpoint it claims from: one ZRANGEBYSCORE, one HMGET of the records, one ZADD of the
// leases; per call: one HSET of the records and one HMGET of the distinct bodies.
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
local out, writes, hashes, wanted, claimed, pending = {}, {}, {}, {}, 0, 0
-- Each due head not excluded yields at least one delivery: limit + excluded heads are enough.
local endpoints = redis.call('ZRANGEBYSCORE', p .. ':heads', '-inf', now, 'LIMIT', 0, limit + excluded)
for _, endpointId in ipairs(endpoints) do
  if claimed >= limit then break end
  if not exclude[endpointId] then
    local queue = p .. ':q:' .. endpointId
    local n = math.min(limit - claimed, perEndpoint, caps[endpointId] or perEndpoint)
    local ids = redis.call('ZRANGEBYSCORE', queue, '-inf', now, 'LIMIT', 0, n)
    if #ids > 0 then
      local raws, leases = redis.call('HMGET', p .. ':d', unpack(ids)), {}
      for j, id in ipairs(ids) do
        local rec = cjson.decode(raws[j])
        if rec.status == 'pending' then pending = pending + 1 end
        rec.status = 'inflight'
        rec.leaseToken = token
        rec.nextAt = untilT
        rec.updatedAt = now
        local encoded = cjson.encode(rec)
        writes[#writes + 1] = id
        writes[#writes + 1] = encoded
        leases[#leases + 1] = untilT
        leases[#leases + 1] = id
        claimed = claimed + 1
        out[#out + 1] = encoded
        out[#out + 1] = ''
        if rec.payloadHash then
          if not wanted[rec.payloadHash] then
            hashes[#hashes + 1] = rec.payloadHash
            wanted[rec.payloadHash] = {}
          end
          local slots = wanted[rec.payloadHash]
          slots[#slots + 1] = #out
        end
      end
      many('ZADD', queue, leases)
    end
    head(p, endpointId)
  end
end
many('HSET', p .. ':d', writes)
if #hashes > 0 then
  local found = redis.call('HMGET', p .. ':pl', unpack(hashes))
  for j, hash in ipairs(hashes) do
    for _, slot in ipairs(wanted[hash]) do out[slot] = found[j] or '' end
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

// ARGV: p, then 7 per completion (id, token, status, nextAt, lastError ('' for none, else ':'
// and the code), now, attempt JSON or ''). Answers 1 or 0 (lease lost) per completion. The records are read with one HMGET
// and written with one HSET; each queue, `:done` and `:dead` get one command per call, each
// endpoint's head is re-scored once. Only the attempt lists (one key per delivery) take one
// RPUSH each. A delivery completed twice in one call is judged on its state after the first.
export const COMPLETE = `${HEAD}
local p = ARGV[1]
local ids = {}
for i = 2, #ARGV, 7 do ids[#ids + 1] = ARGV[i] end
local raws = redis.call('HMGET', p .. ':d', unpack(ids))
local done, current, writes, queued, dequeued, succeeded, dead, deadBy, counts = {}, {}, {}, {}, {}, {}, {}, {}, {}
for j, id in ipairs(ids) do
  local i = 2 + 7 * (j - 1)
  local token, status, nextAt, now, attempt =
    ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 5]), ARGV[i + 6]
  local rec = current[id]
  if rec == nil then
    rec = raws[j] and cjson.decode(raws[j]) or false
    current[id] = rec
  end
  if rec and rec.status == 'inflight' and rec.leaseToken == token then
    counts.inflight = (counts.inflight or 0) - 1
    counts[status] = (counts[status] or 0) + 1
    rec.status = status
    rec.nextAt = nextAt
    rec.updatedAt = now
    rec.leaseToken = cjson.null
    local lastError = ARGV[i + 4]
    rec.lastError = lastError == '' and cjson.null or string.sub(lastError, 2)
    if attempt ~= '' then
      rec.attempts = rec.attempts + 1
      rec.totalAttempts = rec.totalAttempts + 1
      -- The attempt arrives as a JSON object without its number n: n is spliced in, not re-encoded.
      local rest = string.sub(attempt, 2)
      if rest ~= '}' then rest = ',' .. rest end
      redis.call('RPUSH', p .. ':att:' .. id, '{"n":' .. rec.totalAttempts .. rest)
    end
    if status == 'pending' then
      push(queued, rec.endpointId, nextAt, id)
    else
      push(dequeued, rec.endpointId, id)
    end
    if status == 'succeeded' then
      succeeded[#succeeded + 1] = now
      succeeded[#succeeded + 1] = id
    end
    if status == 'dead' then
      dead[#dead + 1] = now
      dead[#dead + 1] = id
      deadBy[rec.endpointId] = (deadBy[rec.endpointId] or 0) + 1
    end
    writes[#writes + 1] = id
    writes[#writes + 1] = cjson.encode(rec)
    done[#done + 1] = 1
  else
    done[#done + 1] = 0
  end
end
-- A completion clears the lease: no delivery is written twice by one call.
many('HSET', p .. ':d', writes)
for endpointId, members in pairs(queued) do many('ZADD', p .. ':q:' .. endpointId, members) end
for endpointId, members in pairs(dequeued) do many('ZREM', p .. ':q:' .. endpointId, members) end
for endpointId in pairs(queued) do head(p, endpointId) end
for endpointId in pairs(dequeued) do
  if not queued[endpointId] then head(p, endpointId) end
end
many('ZADD', p .. ':done', succeeded)
many('ZADD', p .. ':dead', dead)
for endpointId, n in pairs(deadBy) do redis.call('HINCRBY', p .. ':deadby', endpointId, n) end
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
