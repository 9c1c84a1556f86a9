// The messages a tab sent and the server has not yet accepted (webapp/outbox.js), with fake
// timers and a fake POST: one key per message, kept for every try; what is tried again and what
// is final; the order of messages; the backoff's bounds. Run: node --test src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { webcrypto } from 'node:crypto';

const OUTBOX = readFileSync(new URL('../../../webapp/outbox.js', import.meta.url), 'utf8');

// A world for one test: timers that run when the test says, and a POST the test answers.
function world({ crypto = webcrypto } = {}) {
  let now = 1_000_000;
  let timers = [];
  let nextTimer = 1;
  const tries = []; // { entry, key, body, answer(status, body, retryAfter), fail() }
  const changes = [];
  const context = vm.createContext({
    JSON, Math, Number, Array, Uint8Array, Promise, crypto,
    Date: { now: () => now },
    setTimeout: (fn, ms) => { const id = nextTimer++; timers.push({ id, at: now + ms, fn }); return id; },
    clearTimeout: (id) => { timers = timers.filter((t) => t.id !== id); },
  });
  vm.runInContext(OUTBOX + '\nthis.Outbox = Outbox;', context);
  const outbox = new context.Outbox({
    post: (entry) => new Promise((resolve, reject) => {
      tries.push({ entry, key: entry.key, body: entry.body,
        answer: (status, body = {}, retryAfter = null) => resolve({ status, body, retryAfter }),
        fail: () => reject(new TypeError('Failed to fetch')) });
    }),
    onChange: (entry) => changes.push({ key: entry.key, state: entry.state, retryAt: entry.retryAt }),
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    Outbox: context.Outbox, outbox, tries, changes, settle,
    now: () => now,
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        timers = timers.filter((t) => t !== due);
        due.fn();
        await settle();
      }
      now = until;
    },
  };
}

test('a message accepted at once: one try, and its entry says sent with the server\'s message', async () => {
  const w = world();
  const entry = w.outbox.add({ room: 'lobby', user: 'Ann', text: 'hi' });
  assert.equal(entry.state, 'sending');
  assert.deepEqual(Array.from(w.outbox.pending('lobby'), (e) => e.text), ['hi']);
  assert.match(entry.key, /^[0-9a-f-]{36}$/, 'a UUID');
  assert.deepEqual(JSON.parse(w.tries[0].body), { user: 'Ann', text: 'hi', room: 'lobby' });
  w.tries[0].answer(202, { id: '5-0', room: 'lobby', user: 'Ann', text: 'hi', time: 't' });
  await w.settle();
  assert.equal(entry.state, 'sent');
  assert.equal(entry.message.id, '5-0');
  assert.equal(w.outbox.pending('lobby').length, 0);
  assert.equal(w.tries.length, 1);
});

test('a try that fails on the network is tried again with the same key and body, after 0.25 to 0.5 s', async () => {
  const w = world();
  const entry = w.outbox.add({ room: 'lobby', user: 'Ann', text: 'through the tunnel' });
  w.tries[0].fail();
  await w.settle();
  assert.equal(entry.state, 'sending', 'still sending');
  const delay = entry.retryAt - w.now();
  assert.ok(delay >= 250 && delay <= 500, 'the first delay: ' + delay);
  await w.advance(delay - 1);
  assert.equal(w.tries.length, 1, 'not before the delay');
  await w.advance(1);
  assert.equal(w.tries.length, 2);
  assert.equal(w.tries[1].key, w.tries[0].key, 'the same key');
  assert.equal(w.tries[1].body, w.tries[0].body, 'the same body');
  w.tries[1].answer(202, { id: '7-0' });
  await w.settle();
  assert.equal(entry.state, 'sent');
});

test('408, 429, 502, 503 and 504 are tried again; a 429 not before its Retry-After', async () => {
  const w = world();
  const entry = w.outbox.add({ room: 'r', user: 'u', text: 't' });
  for (const status of [502, 503, 504, 408]) {
    w.tries.at(-1).answer(status);
    await w.settle();
    await w.advance(entry.retryAt - w.now());
  }
  assert.equal(w.tries.length, 5);
  w.tries.at(-1).answer(429, { error: 'slow down' }, '3');
  await w.settle();
  assert.ok(entry.retryAt - w.now() >= 3000, 'waits out Retry-After');
  await w.advance(entry.retryAt - w.now());
  w.tries.at(-1).answer(202, { id: '1-0' });
  await w.settle();
  assert.equal(entry.state, 'sent');
  assert.equal(new Set(w.tries.map((t) => t.key)).size, 1, 'one key for every try');
});

test('any other refusal is final and says why: a 400, the 422 of a key reused for another message, a 500', async () => {
  for (const [status, body, error] of [[400, { error: 'user must not be blank' }, 'user must not be blank'],
    [422, { error: 'the key was used for another message' }, 'the key was used for another message'],
    [500, 'not json', 'The server answered 500.']]) {
    const w = world();
    const entry = w.outbox.add({ room: 'r', user: ' ', text: 'x' });
    w.tries[0].answer(status, body);
    await w.settle();
    assert.equal(entry.state, 'failed');
    assert.equal(entry.error, error);
    await w.advance(60000);
    assert.equal(w.tries.length, 1, 'not tried again');
  }
});

test('a message written after another never overtakes it: one on its way at a time, in order', async () => {
  const w = world();
  const first = w.outbox.add({ room: 'a', user: 'u', text: 'first' });
  const second = w.outbox.add({ room: 'b', user: 'u', text: 'second' });
  assert.equal(w.tries.length, 1, 'the second waits');
  assert.notEqual(first.key, second.key, 'a key of its own');
  w.tries[0].fail();
  await w.settle();
  await w.advance(first.retryAt - w.now());
  assert.deepEqual(w.tries.map((t) => JSON.parse(t.body).text), ['first', 'first']);
  w.tries[1].answer(202, { id: '1-0' });
  await w.settle();
  assert.deepEqual(w.tries.map((t) => JSON.parse(t.body).text), ['first', 'first', 'second']);
  w.tries[2].answer(400, { error: 'no' });
  await w.settle();
  assert.deepEqual([first.state, second.state], ['sent', 'failed']);
  const third = w.outbox.add({ room: 'a', user: 'u', text: 'third' });
  assert.equal(w.tries.length, 4, 'a refused message holds nothing up');
  w.tries[3].answer(202, { id: '2-0' });
  await w.settle();
  assert.equal(third.state, 'sent');
});

test('back online, a message waiting out its backoff is tried at once', async () => {
  const w = world();
  const entry = w.outbox.add({ room: 'r', user: 'u', text: 't' });
  for (let i = 0; i < 5; i++) {
    w.tries.at(-1).fail();
    await w.settle();
    if (i < 4) await w.advance(entry.retryAt - w.now());
  }
  assert.equal(w.tries.length, 5);
  w.outbox.retryNow();
  await w.settle();
  assert.equal(w.tries.length, 6);
  w.outbox.retryNow();
  assert.equal(w.tries.length, 6, 'one try at a time');
});

test('the delays double from 0.5 s to 8 s, each drawn from the upper half', () => {
  const { Outbox } = world();
  for (let failures = 1; failures <= 10; failures++) {
    const ceiling = Math.min(8000, 500 * 2 ** (failures - 1));
    for (let i = 0; i < 200; i++) {
      const delay = Outbox.retryDelay(failures, 0);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, failures + ': ' + delay);
    }
  }
});

test('without crypto.randomUUID (plain HTTP) a key is 32 random hex digits', () => {
  const { Outbox } = world({ crypto: { getRandomValues: (bytes) => webcrypto.getRandomValues(bytes) } });
  const keys = new Set(Array.from({ length: 100 }, () => Outbox.newKey()));
  assert.equal(keys.size, 100);
  for (const key of keys) assert.match(key, /^[0-9a-f]{32}$/);
});

test('tries stop 9 minutes after the first, before the server forgets the key, and the reader is told', async () => {
  const w = world();
  const entry = w.outbox.add({ room: 'lobby', user: 'Ann', text: 'lost?' });
  let failed = 0;
  while (entry.state === 'sending' && w.now() < 1_000_000 + 20 * 60 * 1000) {
    if (w.tries.length > failed) {
      w.tries[failed++].fail(); // every try fails on the network
      await w.settle();
    }
    await w.advance(1000);
  }
  assert.equal(entry.state, 'failed');
  assert.match(entry.error, /9 minutes/);
  assert.ok(w.now() - 1_000_000 >= 9 * 60 * 1000 && w.now() - 1_000_000 <= 9 * 60 * 1000 + 9000, 'given up at 9 min');
  const tries = w.tries.length;
  await w.advance(60_000);
  assert.equal(w.tries.length, tries, 'no try after giving up');
  assert.deepEqual(Array.from(w.outbox.pending('lobby')), []);
});
