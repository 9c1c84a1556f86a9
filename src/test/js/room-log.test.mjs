// What a tab holds of a room (webapp/room-log.js): each message once, in the room's order, from
// whatever arrives in whatever order (the stream, a catch-up, older pages). Run: node --test src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const context = vm.createContext({});
vm.runInContext(readFileSync(new URL('../../../webapp/room-log.js', import.meta.url), 'utf8') + '\nthis.RoomLog = RoomLog;', context);
const { RoomLog } = context;
const message = (id) => ({ id, room: 'r', user: 'u', text: 't' + id, time: 't' });
const ids = (log) => [...log.items].map((item) => (item.kind === 'message' ? item.message.id : 'notice'));

test('ids are ordered by both numbers, not as text', () => {
  assert.ok(RoomLog.compareIds('9-0', '10-0') < 0);
  assert.ok(RoomLog.compareIds('10-2', '10-10') < 0);
  assert.ok(RoomLog.compareIds('18446744073709551615-0', '18446744073709551614-9') > 0, 'beyond what a double holds');
  assert.equal(RoomLog.compareIds('5-3', '5-3'), 0);
});

test('messages are kept in id order whatever order they came in, each once', () => {
  const log = new RoomLog('r');
  assert.equal(log.addMessage(message('100-0')), 0);
  assert.equal(log.addMessage(message('102-0')), 1);
  assert.equal(log.addMessage(message('101-5')), 1, 'a catch-up fills the gap in place');
  assert.equal(log.addMessage(message('101-5')), -1, 'shown already');
  ['99-1', '99-0', '98-10', '98-9'].forEach((id) => log.addMessage(message(id))); // an older page
  assert.deepEqual(ids(log), ['98-9', '98-10', '99-0', '99-1', '100-0', '101-5', '102-0']);
  assert.equal(log.oldestId(), '98-9');
  assert.equal(log.newestId(), '102-0');
  assert.equal(log.messageCount(), 7);
});

test('a notice stays after the message that was newest when it was said', () => {
  const log = new RoomLog('r');
  log.addMessage(message('10-0'));
  log.addNotice('missing');
  log.addMessage(message('11-0'));
  log.addMessage(message('5-0'));
  assert.deepEqual(ids(log), ['5-0', '10-0', 'notice', '11-0']);
  assert.equal(log.newestId(), '11-0');
});

test('a room trimmed to its newest items no longer knows whether older ones remain', () => {
  const log = new RoomLog('r');
  for (let i = 1; i <= 10; i++) log.addMessage(message(i + '-0'));
  log.more = false;
  log.trim(4);
  assert.deepEqual(ids(log), ['7-0', '8-0', '9-0', '10-0']);
  assert.equal(log.more, null);
  assert.equal(log.addMessage(message('3-0')), 0, 'a trimmed message can come back from an older page');
});

test('a message known from its POST\'s answer only is shown, but the room resumes from it only once a stream brought it', () => {
  const log = new RoomLog('r');
  log.addMessage(message('10-0'));
  assert.equal(log.addMessage(message('12-0'), true), 1, 'shown at once');
  assert.equal(log.newestId(), '10-0', 'what others posted between 10-0 and 12-0 is still to come');
  assert.equal(log.addMessage(message('11-0')), 1, 'it comes, in its place');
  assert.equal(log.newestId(), '11-0');
  assert.equal(log.addMessage(message('12-0')), -1, 'the stream brings it: not shown twice');
  assert.equal(log.newestId(), '12-0');
  assert.equal(log.addMessage(message('13-0')), 3, 'the stream first...');
  assert.equal(log.addMessage(message('13-0'), true), -1, '...then the answer: once');
  assert.equal(log.newestId(), '13-0');
});
