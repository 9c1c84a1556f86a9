// The streams all tabs share (webapp/stream-hub.js), run in Node with a fake EventSource and
// fake timers: what the page's browser tests cannot reach (a tab that rejoins behind, a waiting
// room's resume point, quiet tabs, the backoff's bounds). Run: node --test src/test/js
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
    message(id, text) {
      this.emit('message', { lastEventId: id, data: JSON.stringify({ id, room: this.room(), user: 'u', text, time: 't' }) });
    }
    room() { return new URL(this.url, 'http://x/').searchParams.get('room'); }
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
  return { got, postMessage: (message) => got.push(structuredClone(message)), texts() {
    return got.flatMap((m) => (m.type === 'message' ? [m.message.text] : m.type === 'messages' ? m.messages.map((x) => x.text) : []));
  } };
}

const join = (room, extra = {}) => Object.assign({ type: 'join', room, lastEventId: null, multiplexed: false, tabLock: 'lock' }, extra);

test('tabs of one room share one stream and each gets every message once', () => {
  const w = world();
  const a = tab(); const b = tab();
  w.hub.handle(a, join('lobby'));
  assert.equal(w.open().length, 1);
  assert.match(w.sources[0].url, /^sse\?room=lobby&clock=1&history=50$/);
  w.sources[0].open();
  w.sources[0].message('10-0', 'one');
  w.hub.handle(b, join('lobby'));
  assert.equal(w.open().length, 1, 'the second tab uses the same stream');
  w.sources[0].message('11-0', 'two');
  w.sources[0].message('11-0', 'two'); // EventSource came back without an id and got it again
  assert.deepEqual(a.texts(), ['one', 'two']);
  assert.deepEqual(b.texts(), ['one', 'two'], 'the recent one, then the live one');
});

test('a tab that rejoins behind what the room stream still holds gets the gap from a stream of its own', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join('lobby'));
  const room = w.sources[0];
  room.open();
  for (let i = 1; i <= 60; i++) room.message(i + '-0', 'm' + i); // 50 kept: m11..m60
  const back = tab();
  w.hub.handle(back, join('lobby', { lastEventId: '5-0' }));
  const catchUp = w.sources[1];
  assert.ok(catchUp, 'a catch-up stream');
  assert.match(catchUp.url, /room=lobby&lastEventId=5-0$/);
  for (let i = 6; i <= 12; i++) catchUp.message(i + '-0', 'm' + i);
  assert.ok(catchUp.closed, 'closed where it met what the room stream delivered (m11)');
  const texts = new Set(back.texts());
  for (let i = 6; i <= 60; i++) assert.ok(texts.has('m' + i), 'm' + i + ' reached the tab');
  assert.ok(!a.texts().includes('m6') || a.texts().indexOf('m6') > 0, 'the catch-up went to that tab only');
  assert.equal(a.texts().filter((t) => t === 'm6').length, 1, 'the first tab got m6 once, from the room stream');
});

test('a catch-up that fails says so to its tab: a gap may be there, never silently', () => {
  const w = world();
  w.hub.handle(tab(), join('lobby'));
  const room = w.sources[0];
  room.open();
  for (let i = 1; i <= 60; i++) room.message(i + '-0', 'm' + i);
  const back = tab();
  w.hub.handle(back, join('lobby', { lastEventId: '5-0' }));
  const catchUp = w.sources[1];
  catchUp.readyState = 2; // refused: a 401 once the token expired, say
  catchUp.emit('error');
  assert.ok(catchUp.closed);
  assert.equal(back.got.filter((m) => m.type === 'reset').length, 1, 'the tab is told');
});

test('a tab whose newest message the room stream has gets no catch-up', () => {
  const w = world();
  w.hub.handle(tab(), join('lobby'));
  w.sources[0].open();
  w.sources[0].message('1-0', 'a');
  w.hub.handle(tab(), join('lobby', { lastEventId: '1-0' }));
  assert.equal(w.sources.length, 1);
});

test('after EventSource gives up (a 502), the hub comes back with backoff, after the newest message', () => {
  const w = world();
  const a = tab();
  w.hub.handle(a, join('lobby'));
  const first = w.sources[0];
  first.open();
  first.message('7-3', 'before');
  first.readyState = 2; // "fail the connection": a non-200 answer
  first.emit('error');
  const state = a.got.filter((m) => m.type === 'state').at(-1);
  assert.equal(state.state, 'reconnecting');
  const delay = state.retryAt - 1_000_000;
  assert.ok(delay >= 500 && delay <= 1000, 'the first delay is 0.5 to 1 s: ' + delay);
  w.advance(delay);
  assert.equal(w.sources.length, 2);
  assert.match(w.sources[1].url, /&lastEventId=7-3$/, 'resumes after the newest message');
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
  w.hub.handle(a, join('lobby'));
  const source = w.sources[0];
  source.emit('refused', { data: JSON.stringify({ reason: 'full', error: 'full', retryMillis: 9000 }) });
  source.readyState = 0; // the stream ended: EventSource retries by itself
  source.emit('error');
  const state = a.got.filter((m) => m.type === 'state').at(-1);
  assert.equal(state.retryAt - 1_000_000, 9000);
  assert.equal(w.sources.length, 1, 'EventSource retries, not the hub');
});

test('a fifth room waits over HTTP/1.1, starts from its tab\'s newest message, and a multiplexed tab lifts the limit', () => {
  const w = world();
  for (let i = 1; i <= 4; i++) w.hub.handle(tab(), join('r' + i));
  const fifth = tab();
  w.hub.handle(fifth, join('r5', { lastEventId: '40-0' }));
  assert.equal(w.open().length, 4);
  assert.equal(fifth.got.filter((m) => m.type === 'state').at(-1).state, 'waiting');
  w.hub.handle(tab(), join('r1', { multiplexed: true }));
  assert.equal(w.open().length, 5, 'over HTTP/2 it starts');
  assert.match(w.sources[4].url, /room=r5&clock=1&lastEventId=40-0$/, 'after the tab\'s newest message, not history=50');
});

test('a room\'s stream ends 2 s after its last tab left, and a waiting room takes its place', () => {
  const w = world();
  const tabs = [];
  for (let i = 1; i <= 5; i++) { const t = tab(); tabs.push(t); w.hub.handle(t, join('r' + i)); }
  w.hub.handle(tabs[0], { type: 'leave' });
  w.advance(1999);
  assert.ok(!w.sources[0].closed, 'a room change or reload keeps it a moment');
  w.advance(1);
  assert.ok(w.sources[0].closed);
  assert.equal(w.open().length, 4);
  assert.match(w.open().at(-1).url, /room=r5/);
});

test('without Web Locks, a tab that stops saying it lives is dropped', () => {
  const w = world();
  const quiet = tab(); const alive = tab();
  w.hub.handle(quiet, join('a', { tabLock: null }));
  w.hub.handle(alive, join('b', { tabLock: null }));
  for (let t = 0; t < 200000; t += 20000) { w.advance(20000); w.hub.handle(alive, { type: 'alive' }); }
  w.advance(2000);
  assert.ok(w.sources[0].closed, 'the quiet tab\'s room ended');
  assert.ok(!w.sources[1].closed, 'the live one\'s did not');
});
