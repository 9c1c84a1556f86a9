-- Reads part of a room's history, with the ids of its oldest and newest entries, in one step.
--
-- KEYS[1]  the room's history stream
-- ARGV[1]  '' for the newest messages, or an id: the messages after it (before it, with ARGV[3])
-- ARGV[2]  how many messages at most (0: only the bounds)
-- ARGV[3]  'before': the newest messages before the id of ARGV[1] (GET /history); else after it
-- Returns {first id, last id, id, json, id, json, ...} oldest first; {'', ''} for no history.
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  return {'', ''}
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local result = {first[1][1], last[1][1]}
local limit = tonumber(ARGV[2])
if limit > 0 then
  if ARGV[1] == '' or ARGV[3] == 'before' then
    -- The newest, or the newest before an id: '(' makes the end exclusive (Redis 6.2 and newer;
    -- it refuses '(0-0', so the caller never asks for what lies before 0-0: nothing does).
    local newest = ARGV[1] == '' and '+' or '(' .. ARGV[1]
    local entries = redis.call('XREVRANGE', KEYS[1], newest, '-', 'COUNT', limit)
    for i = #entries, 1, -1 do
      result[#result + 1] = entries[i][1]
      result[#result + 1] = entries[i][2][2]
    end
  else
    local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', limit)
    for i = 1, #entries do
      result[#result + 1] = entries[i][1]
      result[#result + 1] = entries[i][2][2]
    end
  end
end
return result
