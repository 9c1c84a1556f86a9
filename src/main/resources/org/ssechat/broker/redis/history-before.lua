-- Reads a page of a room's history backwards (GET /history), with the ids of its oldest and
-- newest entries, in one step.
--
-- KEYS[1]  the room's history stream
-- ARGV[1]  '' for the newest messages, or an id above 0-0: the newest messages before it
-- ARGV[2]  how many messages at most
-- Returns {first id, last id, id, json, id, json, ...} oldest first; {'', ''} for no history.
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then
  return {'', ''}
end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local result = {first[1][1], last[1][1]}
-- '(' makes the end exclusive (Redis 6.2 and newer); Redis refuses it for 0-0, so the caller
-- never sends that id: nothing is before it.
local newest = '+'
if ARGV[1] ~= '' then
  newest = '(' .. ARGV[1]
end
local entries = redis.call('XREVRANGE', KEYS[1], newest, '-', 'COUNT', tonumber(ARGV[2]))
for i = #entries, 1, -1 do
  result[#result + 1] = entries[i][1]
  result[#result + 1] = entries[i][2][2]
end
return result
