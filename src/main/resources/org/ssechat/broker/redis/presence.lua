-- Shares one node's presence in a room and reads the other nodes', in one step: the room's
-- hash holds a field per node, "<expires at, ms> <share>". A node refreshes its field every
-- third of the time to live; a node that dies stops refreshing, and its field is dropped by the
-- first call after it expired. Redis's own clock decides, so the nodes' clocks need not agree.
--
-- KEYS[1]  the room's presence hash
-- ARGV[1]  this node's id
-- ARGV[2]  this node's share of the room (JSON), or '' when it has no stream there any more
-- ARGV[3]  milliseconds the share counts without a refresh
-- ARGV[4]  'read' to read only: this node's field is neither written nor taken out
--
-- Answers the other nodes' live shares.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[4] ~= 'read' then
  if ARGV[2] == '' then
    redis.call('HDEL', KEYS[1], ARGV[1])
  else
    redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[3])) .. ' ' .. ARGV[2])
    -- The hash goes once no node refreshes it; a node with a shorter time to live never
    -- shortens another's.
    if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
    end
  end
end
local live = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local value = fields[i + 1]
  local space = string.find(value, ' ', 1, true)
  if not space or tonumber(string.sub(value, 1, space - 1)) <= now then
    if ARGV[4] ~= 'read' then
      redis.call('HDEL', KEYS[1], fields[i])
    end
  elseif fields[i] ~= ARGV[1] then
    live[#live + 1] = string.sub(value, space + 1)
  end
end
return live
