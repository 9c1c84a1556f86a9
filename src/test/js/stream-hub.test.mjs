// The one stream all tabs share (webapp/stream-hub.js), run in Node with a fake EventSource and
// fake timers: what the page's browser tests cannot reach (the composite position a changed set
// of rooms resumes from, a tab that rejoins behind, quiet tabs, the backoff's bounds).
// Run: node --test src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const HUB = readFileSync(new URL('../../../webapp/stream-hub.js', import.meta.url), 'utf8');

// A world for one test: timers that run when the test says, EventSources it drives.
function world() {
  let now = 1_000_000;
  let timers = [];
  let nextTimer = 1;
  const sources = [];
  class EventSource {
    static CONNECTING = 0; static OPEN = 1; static CLOSED = 2;
    constructor(url) { this.url = url; this.readyState = 0; this.listeners = {}; sources.push(this); }
    addEventListener(type, listener) { (this.listeners[type] ||= []).push(listener); }
    close() { this.readyState = 2; this.closed = true; }
    emit(type, event = {}) { (this.listeners[type] || []).forEach((listener) => listener(event)); }
    open() { this.readyState = 1; this.emit('open'); }
    // A message of a room; on a many-room stream the event's id is the composite position.
    message(id, text, room = this.rooms()[0], eventId = undefined) {
      this.emit('message', { lastEventId: eventId === undefined ? id : eventId,
        data: JSON.stringify({ id, room, user: 'u', text, time: 't' }) });
    }
    time(iso) { this.emit('time', { data: iso }); }
    rooms() { return new URL(this.url, 'http://x/').searchParams.getAll('room'); }
    param(name) { return new URL(this.url, 'http://x/').searchParams.get(name); }
  }
  const schedule = (fn, ms, every) => { const id = nextTimer++; timers.push({ id, at: now + ms, fn, every }); return id; };
  const context = vm.createContext({
    EventSource, URL, JSON, Math, Number, Object, Set, Map, Promise,
    Date: { now: () => now, parse: Date.parse },
    setTimeout: (fn, ms) => schedule(fn, ms || 0, 0),
    setInterval: (fn, ms) => schedule(fn, ms, ms),
    clearTimeout: (id) => { timers = timers.filter((t) => t.id !== id); },
    clearInterval: (id) => { timers = timers.filter((t) => t.id !== id); },
  });
  vm.runInContext(HUB + '\nthis.StreamHub = StreamHub;', context);
  return {
    hub: new context.StreamHub(),
    StreamHub: context.StreamHub,
    sources,
    open: () => sources.filter((s) => !s.closed),
    now: () => now,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        if (due.every) { due.at += due.every; } else { timers = timers.filter((t) => t !== due); }
        due.fn();
      }
      now = until;
    },
  };
}

function tab() {
  const got = [];
  // Cloned, as a MessagePort does: a batch must not change after it was sent.
  return { got, postMessage: (message) => got.push(structuredClone(message)), texts(room) {
    return got.filter((m) => !room || m.room === room)
      .flatMap((m) => (m.type === 'message' ? [m.message.text] : m.type === 'messages' ? m.messages.map((x) => x.text) : []));
  }, live() {
    return got.filter((m) => m.type === 'message' && m.live).map((m) => m.message.text);
  }, state() {
    return got.filter((m) => m.type === 'state').at(-1);
  } };
}

const join = (rooms, extra = {}) => Object.assign({ type: 'join', rooms, lastEventIds: {}, tabLock: 'lock' }, extra);
const START = new Date(1_000_000).toISOString(); // the fake clock's now, as the server's time event says it
const LATER = (n) => (1_000_000 + n) + '-0'; // an id of a message posted after the stream started

test('tabs of many rooms share one stream, and each tab gets the messages of its rooms once', () => {
  const w = world();
  const a = tab(); const b = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  assert.equal(w.open().length, 1);
  assert.equal(w.sources[0].url, 'sse?room=lobby&room=dev&clock=1&presence=1&history=50');
  w.hub.handle(b, join(['lobby', 'dev']));
  assert.equal(w.sources.length, 1, 'the second tab, with the same rooms, uses the same stream');
  const s = w.sources[0];
  s.open();
  s.message('10-0', 'in lobby', 'lobby', 'lobby:10-0');
  s.message('11-0', 'in dev', 'dev', 'lobby:10-0,dev:11-0');
  s.message('11-0', 'in dev', 'dev', 'lobby:10-0,dev:11-0'); // EventSource came back without an id and got it again
  for (const t of [a, b]) {
    assert.deepEqual(t.texts('lobby'), ['in lobby']);
    assert.deepEqual(t.texts('dev'), ['in dev']);
  }
});

test('a tab that follows one room more reopens the stream with the composite position: the old rooms resume, the new one starts', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby']));
  const first = w.sources[0];
  assert.equal(first.rooms().join(), 'lobby');
  first.open();
  first.message('7-3', 'plain id of a one-room stream', 'lobby');
  w.hub.handle(a, join(['lobby', 'dev']));
  assert.ok(first.closed, 'the one-room stream is closed');
  const second = w.sources[1];
  assert.deepEqual(second.rooms(), ['lobby', 'dev']);
  assert.equal(second.param('lastEventId'), 'lobby:7-3', 'lobby resumes; dev, with no position, starts with its newest 50');
  assert.equal(second.param('history'), '50');
  second.open();
  // The server's composite ids name rooms with nothing in them too (0-0): the next opening resumes them.
  second.message('8-0', 'more', 'lobby', 'lobby:8-0,dev:0-0');
  w.hub.handle(a, join(['lobby', 'dev', 'ops']));
  assert.equal(w.sources[2].param('lastEventId'), 'lobby:8-0,dev:0-0');
  assert.equal(w.open().length, 1, 'one stream at a time');
});

test('a room no tab follows leaves the stream 2 s later; with no room left the stream ends', () => {
  const w = world();
  const a = tab(); const b = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  w.hub.handle(b, join(['lobby', 'dev']));
  w.sources[0].open();
  w.sources[0].message('5-0', 'x', 'dev', 'lobby:0-0,dev:5-0');
  w.hub.handle(a, join(['lobby']));
  w.advance(5000);
  assert.equal(w.sources.length, 1, 'the other tab still follows dev');
  w.hub.handle(b, join(['lobby']));
  w.advance(1999);
  assert.equal(w.sources.length, 1, 'a reload keeps it a moment');
  w.advance(1);
  assert.equal(w.open().length, 1);
  assert.deepEqual(w.open()[0].rooms(), ['lobby']);
  assert.equal(w.open()[0].param('lastEventId'), 'lobby:0-0');
  w.hub.handle(a, { type: 'leave' });
  w.hub.handle(b, { type: 'leave' });
  w.advance(2000);
  assert.equal(w.open().length, 0);
});

test('a room\'s newest 50 raise no unread count; what arrives after the start, and what a reopening resumes, does', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby']));
  const s = w.sources[0];
  s.open();
  s.time(START);
  s.message('900000-0', 'history', 'lobby');
  s.message(LATER(5), 'live', 'lobby');
  w.hub.handle(a, join(['lobby', 'dev']));
  const t = w.sources[1];
  t.open();
  t.time(new Date(1_000_100).toISOString());
  t.message(LATER(50), 'missed while reopening', 'lobby', 'lobby:' + LATER(50));
  t.message(LATER(60), 'dev history', 'dev', 'lobby:' + LATER(50) + ',dev:' + LATER(60));
  t.message(LATER(200), 'dev live', 'dev', 'lobby:' + LATER(50) + ',dev:' + LATER(200));
  assert.deepEqual(a.live(), ['live', 'missed while reopening', 'dev live']);
});

test('a reset names its room and reaches the tabs of that room only', () => {
  const w = world();
  const a = tab(); const b = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  w.hub.handle(b, join(['lobby']));
  w.sources[0].emit('reset', { data: JSON.stringify({ room: 'dev', reason: 'the Last-Event-ID is older than the room\'s history' }) });
  assert.deepEqual(a.got.filter((m) => m.type === 'reset').map((m) => m.room), ['dev']);
  assert.equal(b.got.filter((m) => m.type === 'reset').length, 0);
});

test('after EventSource gives up (a 502), the hub comes back with backoff, resuming every room', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  const first = w.sources[0];
  first.open();
  first.message('7-3', 'before', 'lobby', 'lobby:7-3,dev:0-0');
  first.readyState = 2; // "fail the connection": a non-200 answer
  first.emit('error');
  const state = a.state();
  assert.equal(state.state, 'reconnecting');
  const delay = state.retryAt - 1_000_000;
  assert.ok(delay >= 500 && delay <= 1000, 'the first delay is 0.5 to 1 s: ' + delay);
  w.advance(delay - 1);
  assert.equal(w.sources.length, 1, 'not before the delay');
  w.advance(1);
  assert.equal(w.sources.length, 2);
  assert.equal(w.sources[1].param('lastEventId'), 'lobby:7-3,dev:0-0', 'resumes after the newest message of each room');
});

test('a room followed while the stream waits out a backoff opens it at once, and the failures still count', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby']));
  for (let i = 0; i < 3; i++) { // three failures: the next delay is 2 to 4 s
    const s = w.sources.at(-1);
    s.readyState = 2;
    s.emit('error');
    if (i < 2) w.advance(a.state().retryAt - 1_000_000);
  }
  const sources = w.sources.length;
  w.hub.handle(a, join(['lobby', 'dev']));
  assert.equal(w.sources.length, sources + 1, 'opened at once with the new room');
  const s = w.sources.at(-1);
  assert.deepEqual(s.rooms(), ['lobby', 'dev']);
  s.readyState = 2;
  s.emit('error');
  assert.ok(a.state().retryAt - w.now() >= 4000, 'the fourth failure waits 4 to 8 s: ' + (a.state().retryAt - w.now()));
});

test('the backoff doubles to 30 s, each delay drawn from the upper half, never under what a refusal asked', () => {
  const { StreamHub } = world();
  for (let failures = 1; failures <= 10; failures++) {
    const ceiling = Math.min(30000, 1000 * 2 ** (failures - 1));
    for (let i = 0; i < 200; i++) {
      const delay = StreamHub.backoff(failures, 0);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, failures + ': ' + delay);
    }
  }
  assert.ok(StreamHub.backoff(1, 8000) >= 8000);
});

test('a refused stream shows when the browser will try again', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby']));
  const source = w.sources[0];
  source.emit('refused', { data: JSON.stringify({ reason: 'full', error: 'full', retryMillis: 9000 }) });
  source.readyState = 0; // the stream ended: EventSource retries by itself
  source.emit('error');
  assert.equal(a.state().retryAt - 1_000_000, 9000);
  assert.equal(w.sources.length, 1, 'EventSource retries, not the hub');
});

test('no more rooms than a stream may carry: 32', () => {
  const w = world();
  const rooms = Array.from({ length: 40 }, (_, i) => 'r' + i);
  w.hub.handle(tab(), join(rooms));
  assert.equal(w.sources[0].rooms().length, 32);
  assert.equal(w.StreamHub.MAX_ROOMS, 32);
});

test('a new leader\'s hub resumes each room where the tab that joins it stands', () => {
  const w = world();
  w.hub.handle(tab(), join(['lobby', 'dev', 'ops'], { lastEventIds: { lobby: '40-0', dev: '41-2' } }));
  assert.equal(w.sources[0].param('lastEventId'), 'lobby:40-0,dev:41-2', 'ops, which the tab has nothing of, starts with its newest 50');
});

test('a tab that rejoins behind in two rooms gets the gaps from one stream of its own', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  const s = w.sources[0];
  s.open();
  for (let i = 1; i <= 60; i++) {
    s.message(i + '-0', 'lobby ' + i, 'lobby');
    s.message(i + '-1', 'dev ' + i, 'dev');
  } // 50 kept of each: 11..60
  const back = tab();
  w.hub.handle(back, join(['lobby', 'dev'], { lastEventIds: { lobby: '5-0', dev: '58-1' } }));
  assert.equal(w.sources.length, 2, 'one catch-up stream, for lobby only: the hub holds dev from 11 on');
  const catchUp = w.sources[1];
  assert.deepEqual(catchUp.rooms(), ['lobby']);
  assert.equal(catchUp.param('lastEventId'), 'lobby:5-0');
  assert.equal(catchUp.param('history'), null);
  for (let i = 6; i <= 60; i++) catchUp.message(i + '-0', 'lobby ' + i, 'lobby');
  assert.ok(catchUp.closed, 'closed where it reached what the hub\'s stream delivered');
  const texts = new Set(back.texts('lobby'));
  for (let i = 6; i <= 60; i++) assert.ok(texts.has('lobby ' + i), 'lobby ' + i + ' reached the tab');
  assert.equal(a.texts('lobby').filter((t) => t === 'lobby 6').length, 1, 'the first tab got lobby 6 once, from the hub\'s stream');
});

test('a catch-up over many rooms names them all in its id and ends when each met the hub\'s stream', () => {
  const w = world();
  w.hub.handle(tab(), join(['a', 'b']));
  const s = w.sources[0];
  s.open();
  for (let i = 1; i <= 60; i++) { s.message(i + '-0', 'a' + i, 'a'); s.message(i + '-0', 'b' + i, 'b'); }
  const back = tab();
  w.hub.handle(back, join(['a', 'b'], { lastEventIds: { a: '2-0', b: '3-0' } }));
  const catchUp = w.sources[1];
  assert.deepEqual(catchUp.rooms(), ['a', 'b']);
  assert.equal(catchUp.param('lastEventId'), 'a:2-0,b:3-0');
  for (let i = 3; i <= 60; i++) catchUp.message(i + '-0', 'a' + i, 'a');
  assert.ok(!catchUp.closed, 'b has not met it yet');
  for (let i = 4; i <= 60; i++) catchUp.message(i + '-0', 'b' + i, 'b');
  assert.ok(catchUp.closed);
});

test('a catch-up that fails says so to its tab, for each of its rooms: a gap may be there, never silently', () => {
  const w = world();
  w.hub.handle(tab(), join(['lobby']));
  const room = w.sources[0];
  room.open();
  for (let i = 1; i <= 60; i++) room.message(i + '-0', 'm' + i);
  const back = tab();
  w.hub.handle(back, join(['lobby'], { lastEventIds: { lobby: '5-0' } }));
  const catchUp = w.sources[1];
  catchUp.readyState = 2; // refused: a 401 once the token expired, say
  catchUp.emit('error');
  assert.ok(catchUp.closed);
  assert.deepEqual(back.got.filter((m) => m.type === 'reset').map((m) => m.room), ['lobby'], 'the tab is told');
});

test('a tab whose newest message the hub has gets no catch-up', () => {
  const w = world();
  w.hub.handle(tab(), join(['lobby']));
  w.sources[0].open();
  w.sources[0].message('1-0', 'a');
  w.hub.handle(tab(), join(['lobby'], { lastEventIds: { lobby: '1-0' } }));
  assert.equal(w.sources.length, 1);
});

test('without Web Locks, a tab that stops saying it lives is dropped, and its room leaves the stream', () => {
  const w = world();
  const quiet = tab(); const alive = tab();
  w.hub.handle(quiet, join(['a'], { tabLock: null }));
  w.hub.handle(alive, join(['b'], { tabLock: null }));
  assert.deepEqual(w.open()[0].rooms(), ['a', 'b']);
  for (let t = 0; t < 200000; t += 20000) { w.advance(20000); w.hub.handle(alive, { type: 'alive' }); }
  w.advance(2000);
  assert.equal(w.open().length, 1);
  assert.deepEqual(w.open()[0].rooms(), ['b'], 'the quiet tab\'s room left');
});

test('a reader without a token gives the stream their name; a new name opens it again, resuming every room', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby', 'dev'], { name: 'Ann Lee' }));
  const first = w.sources[0];
  assert.equal(first.param('name'), 'Ann Lee');
  first.open();
  first.message('7-3', 'x', 'lobby', 'lobby:7-3,dev:0-0');
  w.hub.handle(a, join(['lobby', 'dev'], { name: 'Ann Lee' }));
  assert.equal(w.sources.length, 1, 'the same name: the same stream');
  w.hub.handle(tab(), join(['lobby'], { name: 'Ann' }));
  assert.ok(first.closed);
  assert.equal(w.sources[1].param('name'), 'Ann', 'the newest join names the reader');
  assert.equal(w.sources[1].param('lastEventId'), 'lobby:7-3,dev:0-0');
  w.hub.handle(a, join(['lobby', 'dev'], { name: null })); // signed in: the token names the reader
  assert.equal(w.sources[2].param('name'), null);
  w.hub.handle(a, join(['lobby', 'dev'])); // an older page's join says nothing of a name
  assert.equal(w.sources.length, 3);
});

test('a stream that fails three times in a row with a name is opened without it: a refused name must not keep the reader offline', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join(['lobby'], { name: 'Ann' }));
  for (let i = 0; i < 3; i++) {
    const s = w.sources.at(-1);
    assert.equal(s.param('name'), 'Ann', 'try ' + (i + 1));
    s.readyState = 2; // a 400: the server refused the name
    s.emit('error');
    w.advance(a.state().retryAt - w.now());
  }
  assert.equal(w.sources.length, 4);
  assert.equal(w.sources[3].param('name'), null);
});

test('presence and typing reach the tabs of their room only; a tab that joins later gets the room\'s last presence', () => {
  const w = world();
  const a = tab(); const b = tab();
  w.hub.handle(a, join(['lobby', 'dev']));
  w.hub.handle(b, join(['lobby']));
  const s = w.sources[0];
  s.open();
  const presence = { room: 'dev', streams: 2, people: 2, members: [{ name: 'Ann' }, { name: 'Bob' }], unnamed: 0, more: false };
  s.emit('presence', { data: JSON.stringify(presence) });
  s.emit('typing', { data: JSON.stringify({ room: 'lobby', user: 'Cy' }) });
  assert.deepEqual(a.got.filter((m) => m.type === 'presence').map((m) => [m.room, m.presence.people]), [['dev', 2]]);
  assert.equal(b.got.filter((m) => m.type === 'presence').length, 0, 'b does not follow dev');
  for (const t of [a, b]) {
    assert.deepEqual(t.got.filter((m) => m.type === 'typing').map((m) => [m.room, m.typing.user]), [['lobby', 'Cy']]);
  }
  const later = tab();
  w.hub.handle(later, join(['dev']));
  assert.deepEqual(later.got.filter((m) => m.type === 'presence').map((m) => m.presence.members.length), [2]);
  assert.equal(w.sources.length, 1, 'no new stream for a room it has');
});
