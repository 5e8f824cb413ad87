// Lua scripts of the Redis store. One hash per key: f = fingerprint, t = owner token (in
// progress only), r = serialized result (completed only), e = expiry in the caller's epoch ms.
// Expiry is judged on `e` against the caller's `now` (the same rule as the other stores);
// PEXPIRE only lets Redis reclaim the memory once the record is dead.

/**
 * KEYS[1] record; ARGV fingerprint, token, now, lockExpiresAt.
 * Replies {0, recovered} acquired, {1, fingerprint, lockExpiresAt} in progress,
 * {2, fingerprint, result} completed.
 * @internal
 */
export const BEGIN_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 'f', 'r', 'e')
local now = tonumber(ARGV[3])
if v[3] and tonumber(v[3]) > now then
  if v[2] then return {2, v[1], v[2]} end
  return {1, v[1], v[3]}
end
local recovered = 0
if v[3] and not v[2] then recovered = 1 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'f', ARGV[1], 't', ARGV[2], 'e', ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[4]) - now))
return {0, recovered}
`;

/** KEYS[1] record; ARGV token, result, now, expiresAt. Replies 1 when stored. @internal */
export const COMPLETE_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 't', 'r', 'e')
if v[1] ~= ARGV[1] or v[2] or tonumber(v[3]) <= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[2], 'e', ARGV[4])
redis.call('HDEL', KEYS[1], 't')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[4]) - tonumber(ARGV[3])))
return 1
`;

/** KEYS[1] record; ARGV token. Deletes the owner's in-progress record. @internal */
export const RELEASE_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 't', 'r')
if v[1] == ARGV[1] and not v[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
