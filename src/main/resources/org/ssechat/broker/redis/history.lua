-- Reads part of a room's history, with the ids of its oldest and newest entries, in one step.
--
-- KEYS[1]  the room's history stream
-- ARGV[1]  '' for the newest messages, or an id: the messages after it
-- ARGV[2]  how many messages at most (0: only the bounds)
-- Returns {first id, last id, id, json, id, json, ...} oldest first; {'', ''} for no history.
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  return {'', ''}
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local result = {first[1][1], last[1][1]}
local limit = tonumber(ARGV[2])
if limit > 0 then
  if ARGV[1] == '' then
    local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', limit)
    for i = #entries, 1, -1 do
      result[#result + 1] = entries[i][1]
      result[#result + 1] = entries[i][2][2]
    end
  else
    -- '(' makes the start exclusive (Redis 6.2 and newer).
    local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', limit)
    for i = 1, #entries do
      result[#result + 1] = entries[i][1]
      result[#result + 1] = entries[i][2][2]
    end
  end
end
return result
