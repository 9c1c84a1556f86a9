-- Publishes one chat message: appends it to its room's capped history stream and publishes it
-- on the channel, in one atomic step, so the stream id is the message id and the history's
-- order is the order every subscriber receives.
--
-- KEYS[1]  the room's history stream
-- KEYS[2]  (optional) the publish's retry record (Idempotency-Key): when it exists, nothing is
--          published and the record is answered; otherwise it is written with the message
-- ARGV[1]  the pub/sub channel
-- ARGV[2]  the history length to keep (approximately, at least this many)
-- ARGV[3]  the message as a JSON object without "id", starting with '{'
-- ARGV[4]  milliseconds the history is kept after the room's last message
-- ARGV[5]  PUBLISH, or SPUBLISH for a cluster's shard channel (in the history key's slot)
-- ARGV[6]  with KEYS[2]: the message's fingerprint and its time, a space between (no other spaces)
-- ARGV[7]  with KEYS[2]: milliseconds the record is kept
--
-- Answers the new message's id, or {record} when the record was there already: ARGV[6] as the
-- first publish gave it, a space, and its id. (What the message said needs no keeping: a retry
-- whose fingerprint matches says the same.)
if KEYS[2] then
  local record = redis.call('GET', KEYS[2])
  if record then
    return {record}
  end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[3])
-- Rooms anyone can name must not pile up in Redis: a quiet room's history expires.
redis.call('PEXPIRE', KEYS[1], ARGV[4])
-- A stream id is digits and one '-': safe to splice into the JSON unescaped.
local payload = '{"id":"' .. id .. '",' .. string.sub(ARGV[3], 2)
redis.call(ARGV[5] or 'PUBLISH', ARGV[1], payload)
if KEYS[2] then
  redis.call('SET', KEYS[2], ARGV[6] .. ' ' .. id, 'PX', ARGV[7])
end
return id
