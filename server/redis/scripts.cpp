#include "redis/scripts.hpp"

#include "support/crypto.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace authsim::redis {

namespace {

std::string sha1_hex(const char* text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const std::string_view data(text);
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA1 of a Lua script failed");
  }
  return support::hex_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

// KEYS[1] the record's hash, KEYS[2] its kind's members in the order
// added (as the memory stores keep them: listings, and the bound, which
// evicts the oldest), KEYS[3] the kind's eviction count, KEYS[4] its
// members by drop time (when a record is forgotten, in simulated time),
// KEYS[5] the kind's sequence. ARGV: member, clean-up TTL (ms), capacity,
// simulated now, the record keys' prefix, drop_at_ms, then the hash's
// field/value pairs. Answers the kind's eviction count.
constexpr const char* put_record_text = R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
-- Clean-up by simulated time: up to two records past their retention go,
-- so that in a steady state each new record makes room for itself.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[4], 'LIMIT', 0, 2)) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZREM', KEYS[4], member)
  redis.call('DEL', ARGV[5] .. member)
end
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #popped, 2 do
    redis.call('ZREM', KEYS[4], popped[i])
    redis.call('DEL', ARGV[5] .. popped[i])
  end
  redis.call('INCRBY', KEYS[3], over)
end
return tonumber(redis.call('GET', KEYS[3]) or '0')
)lua";

// KEYS[1] the code's hash, KEYS[2] the codes by drop time. ARGV: simulated
// now, keep_until_ms, retention (ms), clean-up TTL beyond drop_at (ms), the
// code. Answers {outcome, fields}: 0 unknown, 1 redeemed now, 2 expired,
// 3 redeemed before.
constexpr const char* redeem_code_text = R"lua(
local f = redis.call('HMGET', KEYS[1], 'expires_at_ms', 'redeemed_at_ms', 'drop_at_ms')
local now = tonumber(ARGV[1])
if not f[1] or not f[3] or tonumber(f[3]) <= now then
  return {0}
end
local outcome
if f[2] then
  outcome = 3
elseif now >= tonumber(f[1]) then
  outcome = 2
else
  outcome = 1
  local expires = tonumber(f[1])
  local keep = math.max(expires, tonumber(ARGV[2]))
  local drop = keep + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'redeemed_at_ms', ARGV[1], 'drop_at_ms', string.format('%d', drop))
  redis.call('PEXPIRE', KEYS[1], string.format('%d', drop - now + tonumber(ARGV[4])))
  redis.call('ZADD', KEYS[2], string.format('%d', drop), ARGV[5])
end
return {outcome, redis.call('HGETALL', KEYS[1])}
)lua";

// One page of a listing. KEYS[1] the kind's members in the order added,
// KEYS[2] by drop time. ARGV: the record keys' prefix, simulated now, how
// many records to keep, the position to start at, how many members to
// look at, then field/value pairs that a record must match. Answers
// {matched, next, record...}: how many of the members looked at are
// retained and match, where the next page starts (-1: the walk is over),
// and the first of them, oldest first. Without a filter, matched is the
// count of every retained record (one ZCOUNT) and the walk ends once the
// records kept suffice. Pages keep each call short: Redis serves every
// replica meanwhile.
constexpr const char* list_records_text = R"lua(
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local start = tonumber(ARGV[4])
local budget = tonumber(ARGV[5])
local filtered = #ARGV > 5
local matched = 0
local out = {0, -1}
local members = redis.call('ZRANGE', KEYS[1], start, start + budget - 1)
for _, member in ipairs(members) do
  local fields = redis.call('HGETALL', ARGV[1] .. member)
  local record = {}
  for i = 1, #fields, 2 do
    record[fields[i]] = fields[i + 1]
  end
  local keep = record['drop_at_ms'] and tonumber(record['drop_at_ms']) > now
  for i = 6, #ARGV, 2 do
    if record[ARGV[i]] ~= ARGV[i + 1] then
      keep = false
    end
  end
  if keep then
    matched = matched + 1
    if #out - 2 < limit then
      table.insert(fields, 'member')
      table.insert(fields, member)
      out[#out + 1] = fields
    end
  end
end
if #members == budget then
  out[2] = start + budget
end
if not filtered then
  matched = redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[2], '+inf')
  if #out - 2 >= limit then
    out[2] = -1
  end
end
out[1] = matched
return out
)lua";

// ARGV: the sandbox's key prefix, scenario, session, simulated now,
// clean-up TTL (ms), then ten values per rule, in the scenario's order:
// rule index, has a call range (1/0), from, to (or ""), every (or ""),
// draw passed (1/0), has a rate limit (1/0), the limit's key value,
// limit, window (ms). Answers {step, rate_limited, window_end}, step -1
// when no rule applies. Mirrors memory_scenario_counters::walk.
constexpr const char* walk_rules_text = R"lua(
local p, scenario, session = ARGV[1], ARGV[2], ARGV[3]
local now = tonumber(ARGV[4])
local ttl = ARGV[5]
local step = 0
for i = 6, #ARGV, 10 do
  local rule = ARGV[i]
  local calls_key = p .. 'calls:' .. scenario .. ':' .. rule .. ':' .. session
  local call = redis.call('INCR', calls_key)
  redis.call('PEXPIRE', calls_key, ttl)
  local admit = ARGV[i + 5] == '1'
  if ARGV[i + 1] == '1' then
    if call < tonumber(ARGV[i + 2]) then admit = false end
    if ARGV[i + 3] ~= '' and call > tonumber(ARGV[i + 3]) then admit = false end
    if ARGV[i + 4] ~= '' and call % tonumber(ARGV[i + 4]) ~= 0 then admit = false end
  end
  if admit then
    if ARGV[i + 6] ~= '1' then
      return {step, 0, 0}
    end
    local rate_key = ARGV[i + 7]
    local window_key = p .. 'window:' .. scenario .. ':' .. rule .. ':' .. #rate_key .. ':' .. rate_key .. ':' .. session
    local limit, window = tonumber(ARGV[i + 8]), tonumber(ARGV[i + 9])
    local w = redis.call('HMGET', window_key, 'start', 'count')
    local start, count = tonumber(w[1]), tonumber(w[2])
    if not count or count == 0 or now >= start + window or now < start then
      start, count = now, 0
    end
    count = count + 1
    redis.call('HSET', window_key, 'start', string.format('%d', start), 'count', count)
    redis.call('PEXPIRE', window_key, ttl)
    if count > limit then
      return {step, 1, string.format('%d', start + window)}
    end
  end
  step = step + 1
end
return {-1, 0, 0}
)lua";

// KEYS[1] the settings hash. ARGV: the channel, the changing replica's
// mark for a new hash (its "epoch": a Redis that lost the hash starts a new
// one, whose versions start again), then triples of operation ("set",
// "setnx", "incr" or "del"), field, value. The version goes up by one and
// is published; answers the settings after the change.
constexpr const char* change_settings_text = R"lua(
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[2])
for i = 3, #ARGV, 3 do
  local op, field, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'set' then
    redis.call('HSET', KEYS[1], field, value)
  elseif op == 'setnx' then
    redis.call('HSETNX', KEYS[1], field, value)
  elseif op == 'incr' then
    redis.call('HINCRBY', KEYS[1], field, value)
  else
    redis.call('HDEL', KEYS[1], field)
  end
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('PUBLISH', ARGV[1], version)
return redis.call('HGETALL', KEYS[1])
)lua";

// KEYS[1] the journal stream, KEYS[2] its id sequence, KEYS[3] its
// counts. ARGV: capacity, channel, path, outcome, known path (1/0), most
// count fields, the entry's JSON. Counts per (path or "*", outcome or
// "*") as the memory journal keeps them: a path no route serves is
// counted only while the table has room.
constexpr const char* journal_add_text = R"lua(
local id = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'id', id, 'path', ARGV[3], 'outcome', ARGV[4],
           'entry', ARGV[7])
local room = tonumber(ARGV[6])
local function bump(field, always)
  if always or redis.call('HEXISTS', KEYS[3], field) == 1 or redis.call('HLEN', KEYS[3]) < room then
    redis.call('HINCRBY', KEYS[3], field, 1)
  end
end
local known = ARGV[5] == '1'
bump('p' .. ARGV[3] .. '\n' .. ARGV[4], known)
bump('p' .. ARGV[3] .. '\n*', known)
redis.call('HINCRBY', KEYS[3], '*\n' .. ARGV[4], 1)
redis.call('HINCRBY', KEYS[3], '*\n*', 1)
redis.call('PUBLISH', ARGV[2], id)
return id
)lua";

script make(const char* name, const char* text) { return script{name, text, sha1_hex(text)}; }

}  // namespace

scripts::scripts()
    : put_record(make("put_record", put_record_text)),
      redeem_code(make("redeem_code", redeem_code_text)),
      list_records(make("list_records", list_records_text)),
      walk_rules(make("walk_rules", walk_rules_text)),
      change_settings(make("change_settings", change_settings_text)),
      journal_add(make("journal_add", journal_add_text)) {}

const scripts& all_scripts() {
  static const scripts instance;
  return instance;
}

}  // namespace authsim::redis
