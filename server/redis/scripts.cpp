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

// Records (state::records). ARGV: the key prefix "{P}:", the records
// channel, the count of writes, nine values per write (kind, id, body,
// expected version, order, tag, capacity, owned records as a JSON array of
// [kind, id], fields as a JSON array of [name, value]), then three per job
// (due, lane, "kind arg"). Keys: the record "{P}:rec:KIND:ID" (body,
// version, member, tag, owns, and each field as "f:NAME"), the kind's
// listing "{P}:recs:KIND" (by order, then first written: members are the
// write's sequence in 16 hex digits and the id), the same members by
// sequence (":written", the bound) and the tag counts (":tags"). A job is
// a member of "{P}:jobs" scored by its due time: its sequence (16 hex
// digits), the lane's length (4), the lane, then "kind arg", in its
// lane's sorted set "{P}:jobs:lane:LANE" by due time; "{P}:jobs:heads"
// lists each idle lane that has jobs by its earliest due time. Every
// write's expectation is checked first: answers 0 and changes nothing when
// one fails, else 1, after announcing the change ("1" when it added jobs).
constexpr const char* records_commit_text = R"lua(
local p = ARGV[1]
local n = tonumber(ARGV[3])
local W = 9
for i = 0, n - 1 do
  local b = 4 + i * W
  local v = redis.call('HGET', p .. 'rec:' .. ARGV[b] .. ':' .. ARGV[b + 1], 'version')
  if tonumber(v or '0') ~= tonumber(ARGV[b + 3]) then
    return 0
  end
end
local function drop(kind, id)
  local key = p .. 'rec:' .. kind .. ':' .. id
  local f = redis.call('HMGET', key, 'member', 'tag', 'owns')
  if not f[1] then
    return nil
  end
  redis.call('ZREM', p .. 'recs:' .. kind, f[1])
  redis.call('ZREM', p .. 'recs:' .. kind .. ':written', f[1])
  if f[2] and f[2] ~= '' then
    redis.call('HINCRBY', p .. 'recs:' .. kind .. ':tags', f[2], -1)
  end
  redis.call('DEL', key)
  return f[3]
end
for i = 0, n - 1 do
  local b = 4 + i * W
  local kind, id, tag = ARGV[b], ARGV[b + 1], ARGV[b + 5]
  local key = p .. 'rec:' .. kind .. ':' .. id
  local listing = p .. 'recs:' .. kind
  local f = redis.call('HMGET', key, 'member', 'tag')
  local member = f[1]
  if not member then
    local seq = redis.call('INCR', p .. 'recs:seq')
    member = string.format('%016x', seq) .. id
    redis.call('ZADD', listing, ARGV[b + 4], member)
    redis.call('ZADD', listing .. ':written', seq, member)
  end
  local old = f[2] or ''
  if old ~= tag then
    if old ~= '' then
      redis.call('HINCRBY', listing .. ':tags', old, -1)
    end
    if tag ~= '' then
      redis.call('HINCRBY', listing .. ':tags', tag, 1)
    end
  end
  redis.call('HSET', key, 'body', ARGV[b + 2], 'member', member, 'tag', tag, 'owns', ARGV[b + 7])
  for _, pair in ipairs(cjson.decode(ARGV[b + 8])) do
    redis.call('HSET', key, 'f:' .. pair[1], pair[2])
  end
  redis.call('HINCRBY', key, 'version', 1)
  local capacity = tonumber(ARGV[b + 6])
  if capacity > 0 then
    local over = redis.call('ZCARD', listing .. ':written') - capacity
    if over > 0 then
      for _, m in ipairs(redis.call('ZRANGE', listing .. ':written', 0, over - 1)) do
        local owns = drop(kind, string.sub(m, 17))
        if owns and owns ~= '' and owns ~= '[]' then
          for _, pair in ipairs(cjson.decode(owns)) do
            if pair[1] ~= kind then
              drop(pair[1], pair[2])
            end
          end
        end
      end
    end
  end
end
local added = 0
for i = 4 + n * W, #ARGV, 3 do
  local seq = redis.call('INCR', p .. 'jobs:seq')
  local lane = ARGV[i + 1]
  local queue = p .. 'jobs:lane:' .. lane
  redis.call('ZADD', queue, ARGV[i], string.format('%016x%04x', seq, #lane) .. lane .. ARGV[i + 2])
  -- An idle lane is listed by its earliest job; a busy one when it is idle again.
  if redis.call('HEXISTS', p .. 'jobs:lanes', lane) == 0 then
    local head = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
    redis.call('ZADD', p .. 'jobs:heads', head[2], lane)
  end
  added = 1
end
redis.call('PUBLISH', ARGV[2], added)
return 1
)lua";

// One page of a selection of a kind's records by their fields. ARGV: the
// key prefix, kind, where to start, how many members to look at, how many
// records to answer at most, the walk ("0" listing order, "1" newest
// first, both from a position; "2" the order written, after a sequence
// number: records added or removed meanwhile move no other, so a count
// made in pages counts each record once), a field that must be a number
// at least (or ""), that number, then name/value pairs that must be
// equal. Answers {matched, next, id, body, version...}: how many of the
// members looked at match, where the next page starts (-1: the walk is
// over), and the first matches. Pages keep each call short.
constexpr const char* records_select_text = R"lua(
local p, kind = ARGV[1], ARGV[2]
local start, budget, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local members
local next_start = start + budget
if ARGV[6] == '2' then
  local page = redis.call('ZRANGEBYSCORE', p .. 'recs:' .. kind .. ':written', '(' .. ARGV[3], '+inf',
                          'WITHSCORES', 'LIMIT', 0, budget)
  members = {}
  for i = 1, #page, 2 do
    members[#members + 1] = page[i]
    next_start = page[i + 1]
  end
elseif ARGV[6] == '1' then
  members = redis.call('ZRANGE', p .. 'recs:' .. kind, start, start + budget - 1, 'REV')
else
  members = redis.call('ZRANGE', p .. 'recs:' .. kind, start, start + budget - 1)
end
local names = {}
for i = 9, #ARGV, 2 do
  names[#names + 1] = 'f:' .. ARGV[i]
end
local least = ARGV[7]
if least ~= '' then
  names[#names + 1] = 'f:' .. least
end
local out = {0, -1}
local matched = 0
for _, m in ipairs(members) do
  local key = p .. 'rec:' .. kind .. ':' .. string.sub(m, 17)
  local keep = true
  if #names > 0 then
    local f = redis.call('HMGET', key, unpack(names))
    for i = 9, #ARGV, 2 do
      if f[(i - 7) / 2] ~= ARGV[i + 1] then
        keep = false
      end
    end
    if least ~= '' and (not f[#names] or tonumber(f[#names]) < tonumber(ARGV[8])) then
      keep = false
    end
  end
  if keep then
    matched = matched + 1
    if (#out - 2) / 3 < limit then
      local r = redis.call('HMGET', key, 'body', 'version')
      out[#out + 1] = string.sub(m, 17)
      out[#out + 1] = r[1] or ''
      out[#out + 1] = r[2] or '0'
    end
  end
end
if #members == budget then
  out[2] = next_start
end
out[1] = matched
return out
)lua";

// Forgets up to a page of a kind's records, oldest first, each with its
// listing entries and tag count, in one step. ARGV: the key prefix, kind,
// how many, the records channel. Answers how many records of the kind
// are left.
constexpr const char* records_clear_text = R"lua(
local p, kind = ARGV[1], ARGV[2]
local listing = p .. 'recs:' .. kind
for _, m in ipairs(redis.call('ZRANGE', listing .. ':written', 0, tonumber(ARGV[3]) - 1)) do
  local key = p .. 'rec:' .. kind .. ':' .. string.sub(m, 17)
  local tag = redis.call('HGET', key, 'tag')
  if tag and tag ~= '' then
    redis.call('HINCRBY', listing .. ':tags', tag, -1)
  end
  redis.call('ZREM', listing, m)
  redis.call('ZREM', listing .. ':written', m)
  redis.call('DEL', key)
end
local left = redis.call('ZCARD', listing .. ':written')
if left == 0 then
  redis.call('PUBLISH', ARGV[4], '0')
end
return left
)lua";

// Claims due jobs for one replica: the earliest job of each idle lane
// that is due, lanes by their earliest due time, so a lane busy with a
// backlog holds up no other. ARGV: the key prefix, simulated now, lease
// (ms), the claim's token, how many at most. A claimed job leaves its lane
// for "{P}:jobs:running", scored by the end of its lease in Redis's own
// time, with its token and due time in "{P}:jobs:claims"; its lane is
// busy ("{P}:jobs:lanes") until it is settled. Leases that ran out (their
// replica died, or stalled) are handed back first. Answers {Redis now,
// the earliest due time of an idle lane (or -1), the next lease end (or
// -1), member, due, member, due...}.
constexpr const char* jobs_claim_text = R"lua(
local p = ARGV[1]
local t = redis.call('TIME')
local real = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local running, claims, lanes, heads = p .. 'jobs:running', p .. 'jobs:claims', p .. 'jobs:lanes', p .. 'jobs:heads'
local function lane_of(m)
  local n = tonumber(string.sub(m, 17, 20), 16)
  return string.sub(m, 21, 20 + n)
end
local function list_lane(lane)
  local head = redis.call('ZRANGE', p .. 'jobs:lane:' .. lane, 0, 0, 'WITHSCORES')
  if #head == 0 or redis.call('HEXISTS', lanes, lane) == 1 then
    redis.call('ZREM', heads, lane)
  else
    redis.call('ZADD', heads, head[2], lane)
  end
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', running, '-inf', real, 'LIMIT', 0, 100)) do
  local c = redis.call('HGET', claims, m)
  local lane = lane_of(m)
  redis.call('ZREM', running, m)
  redis.call('HDEL', claims, m)
  if c then
    redis.call('ZADD', p .. 'jobs:lane:' .. lane, string.sub(c, string.find(c, ' ') + 1), m)
  end
  if redis.call('HGET', lanes, lane) == m then
    redis.call('HDEL', lanes, lane)
  end
  list_lane(lane)
end
local out = {real, -1, -1}
local wanted = tonumber(ARGV[5])
if wanted > 0 then
  for _, lane in ipairs(redis.call('ZRANGEBYSCORE', heads, '-inf', ARGV[2], 'LIMIT', 0, wanted)) do
    local queue = p .. 'jobs:lane:' .. lane
    local head = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
    redis.call('ZREM', heads, lane)
    if #head > 0 then
      redis.call('ZREM', queue, head[1])
      redis.call('HSET', lanes, lane, head[1])
      redis.call('ZADD', running, real + tonumber(ARGV[3]), head[1])
      redis.call('HSET', claims, head[1], ARGV[4] .. ' ' .. head[2])
      out[#out + 1] = head[1]
      out[#out + 1] = head[2]
    end
  end
end
local first = redis.call('ZRANGE', heads, 0, 0, 'WITHSCORES')
if #first > 0 then
  out[2] = first[2]
end
local lease = redis.call('ZRANGE', running, 0, 0, 'WITHSCORES')
if #lease > 0 then
  out[3] = lease[2]
end
return out
)lua";

// Settles claims. ARGV: the key prefix, "finish" (the job is done),
// "release" (it goes back to its lane, due as before: its replica is
// stopping; announced on the records channel, so that another replica
// claims it at once) or the lease (ms) to extend by, the records channel,
// then member/token pairs. A claim that is no longer the token's (its
// lease ran out) is left alone. Answers how many were the token's.
constexpr const char* jobs_settle_text = R"lua(
local p = ARGV[1]
local running, claims, lanes, heads = p .. 'jobs:running', p .. 'jobs:claims', p .. 'jobs:lanes', p .. 'jobs:heads'
local t = redis.call('TIME')
local real = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mine = 0
for i = 4, #ARGV, 2 do
  local m, token = ARGV[i], ARGV[i + 1]
  local c = redis.call('HGET', claims, m)
  if c and string.sub(c, 1, #token + 1) == token .. ' ' then
    mine = mine + 1
    if ARGV[2] == 'finish' or ARGV[2] == 'release' then
      local n = tonumber(string.sub(m, 17, 20), 16)
      local lane = string.sub(m, 21, 20 + n)
      local queue = p .. 'jobs:lane:' .. lane
      redis.call('ZREM', running, m)
      redis.call('HDEL', claims, m)
      if ARGV[2] == 'release' then
        redis.call('ZADD', queue, string.sub(c, #token + 2), m)
      end
      if redis.call('HGET', lanes, lane) == m then
        redis.call('HDEL', lanes, lane)
        local head = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
        if #head > 0 then
          redis.call('ZADD', heads, head[2], lane)
        end
      end
    else
      redis.call('ZADD', running, 'XX', real + tonumber(ARGV[2]), m)
    end
  end
end
if ARGV[2] == 'release' and mine > 0 then
  redis.call('PUBLISH', ARGV[3], '1')
end
return mine
)lua";

script make(const char* name, const char* text) { return script{name, text, sha1_hex(text)}; }

}  // namespace

scripts::scripts()
    : put_record(make("put_record", put_record_text)),
      redeem_code(make("redeem_code", redeem_code_text)),
      list_records(make("list_records", list_records_text)),
      walk_rules(make("walk_rules", walk_rules_text)),
      change_settings(make("change_settings", change_settings_text)),
      journal_add(make("journal_add", journal_add_text)),
      records_commit(make("records_commit", records_commit_text)),
      records_select(make("records_select", records_select_text)),
      records_clear(make("records_clear", records_clear_text)),
      jobs_claim(make("jobs_claim", jobs_claim_text)),
      jobs_settle(make("jobs_settle", jobs_settle_text)) {}

const scripts& all_scripts() {
  static const scripts instance;
  return instance;
}

}  // namespace authsim::redis
