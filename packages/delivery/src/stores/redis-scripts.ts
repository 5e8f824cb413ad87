// Lua scripts of the Redis store. Each runs atomically, so claims, completions and requeues
// are race-free across any number of worker processes. Internal to `@bulwark/delivery/redis`.
// Records are flat JSON objects (cjson); `p` is the key prefix (ARGV[1]).

export const ENQUEUE = `
local p = ARGV[1]
local inserted = {}
for i = 2, #ARGV do
  local rec = cjson.decode(ARGV[i])
  if redis.call('HSETNX', p .. ':d', rec.id, ARGV[i]) == 1 then
    redis.call('ZADD', p .. ':due', rec.nextAt, rec.id)
    redis.call('ZADD', p .. ':ids', 0, rec.id)
    redis.call('SADD', p .. ':msg:' .. rec.messageId, rec.id)
    redis.call('HINCRBY', p .. ':counts', rec.status, 1)
    inserted[#inserted + 1] = rec.id
  end
end
return inserted`;

export const CLAIM = `
local p, now, untilT, token, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local exclude = {}
for i = 6, #ARGV do exclude[ARGV[i]] = true end
local out, claimed, offset = {}, {}, 0
while #out < limit do
  local ids = redis.call('ZRANGEBYSCORE', p .. ':due', '-inf', now, 'LIMIT', offset, 100)
  if #ids == 0 then break end
  offset = offset + #ids
  for _, id in ipairs(ids) do
    if #out >= limit then break end
    local rec = cjson.decode(redis.call('HGET', p .. ':d', id))
    if not exclude[rec.endpointId] then
      if rec.status == 'pending' then
        redis.call('HINCRBY', p .. ':counts', 'pending', -1)
        redis.call('HINCRBY', p .. ':counts', 'inflight', 1)
      end
      rec.status = 'inflight'
      rec.leaseToken = token
      rec.nextAt = untilT
      rec.updatedAt = now
      local encoded = cjson.encode(rec)
      redis.call('HSET', p .. ':d', id, encoded)
      out[#out + 1] = encoded
      claimed[#claimed + 1] = id
    end
  end
end
for _, id in ipairs(claimed) do redis.call('ZADD', p .. ':due', untilT, id) end
return out`;

export const COMPLETE = `
local p, id, token, status, nextAt, lastError, now, attempt =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), cjson.decode(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local raw = redis.call('HGET', p .. ':d', id)
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.status ~= 'inflight' or rec.leaseToken ~= token then return 0 end
redis.call('HINCRBY', p .. ':counts', 'inflight', -1)
redis.call('HINCRBY', p .. ':counts', status, 1)
rec.status = status
rec.nextAt = nextAt
rec.updatedAt = now
rec.leaseToken = cjson.null
rec.lastError = lastError
if attempt ~= '' then
  rec.attempts = rec.attempts + 1
  rec.totalAttempts = rec.totalAttempts + 1
  local a = cjson.decode(attempt)
  a.n = rec.totalAttempts
  redis.call('RPUSH', p .. ':att:' .. id, cjson.encode(a))
end
if status == 'pending' then
  redis.call('ZADD', p .. ':due', nextAt, id)
else
  redis.call('ZREM', p .. ':due', id)
end
if status == 'succeeded' then
  redis.call('ZADD', p .. ':done', now, id)
end
if status == 'dead' then
  redis.call('ZADD', p .. ':dead', now, id)
  redis.call('HINCRBY', p .. ':deadby', rec.endpointId, 1)
end
redis.call('HSET', p .. ':d', id, cjson.encode(rec))
return 1`;

export const REQUEUE = `
local p, now, messageId, endpointId = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local statuses = {}
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
      redis.call('ZADD', p .. ':due', now, id)
      n = n + 1
    end
  end
end
return n`;

// \`:done\` holds the ids of succeeded deliveries scored by updatedAt (COMPLETE adds, REQUEUE
// removes), so pruning reads only what it deletes. An id whose record is no longer succeeded
// is dropped from the set without deleting the record.
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
      redis.call('ZREM', p .. ':due', id)
      redis.call('SREM', p .. ':msg:' .. rec.messageId, id)
      redis.call('DEL', p .. ':att:' .. id)
      redis.call('HINCRBY', p .. ':counts', 'succeeded', -1)
      n = n + 1
    end
  end
end
return n`;
