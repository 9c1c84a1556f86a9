// The messages a tab has sent and the server has not yet accepted, in the order they were sent.
// Each gets a key of its own (Idempotency-Key) when it is written, and keeps it and its body for
// every try: a try whose answer was lost on the network (the server published the message, the
// reader never heard) is repeated, and the server answers the repeat with the first answer
// instead of publishing the message again (see docs/protocol.md). So a flaky connection neither
// drops a message nor doubles it.
//
// One message is on its way at a time: a message written after another never overtakes it. A
// try that fails on the network, or is answered 408, 429, 502, 503 or 504, is repeated after
// 0.5 s, 1, 2, 4, then every 8 s (each drawn from the upper half of that, so that the readers of
// a whole deploy do not come back in the same second; never before a 429's Retry-After), until
// the server accepts it. Any other answer is final: accepted (2xx) or refused (the reason shown).
// Tries stop 9 minutes after the first: the server keeps a key 10 minutes by default
// (CHAT_IDEMPOTENCY_WINDOW_SECONDS), and a try after it forgot the key could publish a second copy
// of a message whose first answer was lost; the reader is told instead, and decides.
/* exported Outbox */
var Outbox = (function () {
  'use strict';

  const FIRST_RETRY_MILLIS = 500;
  const MAX_RETRY_MILLIS = 8000;
  const RETRIED_STATUSES = [408, 429, 502, 503, 504]; // the server or a proxy in front was busy or away
  const GIVE_UP_MILLIS = 9 * 60 * 1000; // within the server's default 10-minute memory of a key

  // A random key: a UUID where the page runs in a secure context (HTTPS, localhost), random hex
  // where crypto.randomUUID is missing (plain HTTP).
  function newKey() {
    if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
      return crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // The delay before try number failures + 1.
  function retryDelay(failures, atLeastMillis) {
    const ceiling = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS * Math.pow(2, failures - 1));
    return Math.max(atLeastMillis || 0, Math.round(ceiling / 2 + Math.random() * ceiling / 2));
  }

  // Retry-After in seconds (an HTTP date is not worth reading here): millis, or 0.
  function retryAfterMillis(value) {
    const seconds = Number(value);
    return value && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 0;
  }

  class Outbox {
    // post(entry): one try, a Promise of { status, body, retryAfter } that rejects on a network
    // failure; onChange(entry): an entry was accepted ('sent', entry.message is the server's
    // answer), refused ('failed', entry.error says why) or will be tried again ('sending').
    constructor({ post, onChange }) {
      this.post = post;
      this.onChange = onChange;
      this.queue = [];
      this.busy = false;
      this.timer = null;
    }

    // A message written: { room, user, text }. Returns its entry, 'sending' until the server answers.
    add({ room, user, text }) {
      const entry = { key: newKey(), room, user, text, body: JSON.stringify({ user, text, room }),
        state: 'sending', tries: 0, failures: 0, retryAt: null, message: null, error: null, firstTry: null };
      this.queue.push(entry);
      this.next();
      return entry;
    }

    // The entries of a room still on their way, oldest first.
    pending(room) {
      return this.queue.filter((entry) => entry.room === room);
    }

    // Back online: a backoff would only keep the message waiting longer.
    retryNow() {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
        this.next();
      }
    }

    async next() {
      const entry = this.queue[0];
      if (this.busy || this.timer !== null || !entry) {
        return;
      }
      this.busy = true;
      entry.tries++;
      if (entry.firstTry === null) {
        entry.firstTry = Date.now();
      }
      let answer = null;
      try {
        answer = await this.post(entry);
      } catch (e) {
        answer = null; // the network failed: the message may or may not have been published
      }
      this.busy = false;
      const retried = answer === null || RETRIED_STATUSES.includes(answer.status);
      if (retried && Date.now() - entry.firstTry >= GIVE_UP_MILLIS) {
        answer = { status: 0, body: { error: 'The server did not confirm this message for 9 minutes: it may or may'
          + ' not have been sent. Check the room before sending it again.' } };
      } else if (retried) {
        entry.failures++;
        const delay = retryDelay(entry.failures, answer ? retryAfterMillis(answer.retryAfter) : 0);
        entry.retryAt = Date.now() + delay;
        this.timer = setTimeout(() => {
          this.timer = null;
          this.next();
        }, delay);
        this.onChange(entry);
        return;
      }
      this.queue.shift();
      if (answer.status >= 200 && answer.status < 300) {
        entry.state = 'sent';
        entry.message = answer.body;
      } else {
        entry.state = 'failed';
        entry.error = (answer.body && answer.body.error) || 'The server answered ' + answer.status + '.';
      }
      this.onChange(entry);
      this.next();
    }
  }

  Outbox.retryDelay = retryDelay;
  Outbox.newKey = newKey;
  return Outbox;
})();
