// The streams of all tabs of this browser, held in one place: a SharedWorker (stream-worker.js),
// or, where a browser has none, the tab elected leader (app.js). Tabs are "ports" here: anything
// with postMessage. A tab joins a room; tabs of one room share one EventSource for it, and every
// stream starts with the server's time (?clock=1), so the clock needs no connection of its own.
//
// A stream that fails for good (any answer but 200 text/event-stream: a 502 while a backend
// restarts) is opened again with capped, jittered backoff, resuming after the newest message it
// delivered; the tabs drop what they have shown already, so nothing is missed or shown twice.
/* exported StreamHub */
var StreamHub = (function () {
  'use strict';

  const HISTORY_ON_FIRST_LOAD = 50; // also how many recent messages a tab that joins later is given
  const BACKOFF_FIRST_MILLIS = 1000;
  const BACKOFF_MAX_MILLIS = 30000;
  // Over HTTP/1.1 a browser opens at most 6 connections to a host, for everything: 4 rooms leave
  // two for posting and loading pages. Over HTTP/2 and 3 streams share one connection.
  const ROOMS_OVER_HTTP1 = 4;
  const ROOMS_MULTIPLEXED = 50;
  const CLOSE_EMPTY_ROOM_AFTER_MILLIS = 2000; // a room change, or a reload while another tab lives, keeps it
  const QUIET_TAB_MILLIS = 150000; // without Web Locks, a tab silent this long is gone (timers of
  // hidden tabs may fire once a minute only)
  const CATCH_UP_MILLIS = 15000;

  // Ids are <millis>-<sequence>: ordered by both numbers.
  function older(a, b) {
    const [am, as] = a.split('-').map(Number);
    const [bm, bs] = b.split('-').map(Number);
    return am < bm || (am === bm && as < bs);
  }

  // A delay from 1 s doubling to 30 s, each drawn from its upper half so that the tabs of many
  // browsers cut off at once (a deploy) come back spread out, not all in the same second.
  function backoff(failures, atLeast) {
    const ceiling = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_FIRST_MILLIS * Math.pow(2, failures - 1));
    return Math.max(atLeast || 0, Math.round(ceiling / 2 + Math.random() * ceiling / 2));
  }

  // One room's EventSource, kept open for as long as the room has tabs.
  class RoomStream {
    constructor(room, lastEventId, events) {
      this.room = room;
      this.lastEventId = lastEventId || null;
      this.events = events;
      this.failures = 0;
      this.refusal = null;
      this.source = null;
      this.timer = null;
      this.connect();
    }

    url() {
      const start = this.lastEventId
        ? '&lastEventId=' + encodeURIComponent(this.lastEventId)
        : '&history=' + HISTORY_ON_FIRST_LOAD;
      return 'sse?room=' + encodeURIComponent(this.room) + '&clock=1' + start;
    }

    connect() {
      this.timer = null;
      const source = new EventSource(this.url());
      this.source = source;
      source.addEventListener('open', () => {
        this.failures = 0;
        this.refusal = null;
        this.events.state({ state: 'live' });
      });
      source.addEventListener('message', (event) => {
        if (event.lastEventId) {
          this.lastEventId = event.lastEventId;
        }
        this.events.message(JSON.parse(event.data));
      });
      source.addEventListener('time', (event) => this.events.time(event.data));
      source.addEventListener('reset', (event) => this.events.reset(JSON.parse(event.data)));
      // The token ended the stream; EventSource comes back by itself, with a refreshed cookie or not.
      source.addEventListener('expired', () => this.events.expired());
      // A node that cannot take the stream says why and when to come back, then ends it.
      source.addEventListener('refused', (event) => {
        this.refusal = JSON.parse(event.data);
      });
      source.addEventListener('error', () => {
        if (source !== this.source) {
          return;
        }
        if (source.readyState === EventSource.CLOSED) {
          this.retryLater(); // EventSource gave up for good: this one does not
        } else if (this.refusal) {
          // EventSource comes back by itself after the refusal's retry: delay.
          this.events.state({ state: 'reconnecting', retryAt: Date.now() + this.refusal.retryMillis,
            reason: this.refusal.error });
        } else {
          this.events.state({ state: 'reconnecting' });
        }
      });
    }

    retryLater() {
      this.source.close();
      this.failures++;
      const delay = backoff(this.failures, this.refusal ? this.refusal.retryMillis : 0);
      this.events.state({ state: 'reconnecting', retryAt: Date.now() + delay,
        reason: this.refusal ? this.refusal.error : null });
      this.timer = setTimeout(() => this.connect(), delay);
    }

    // Back online: waiting out a backoff would only keep the reader offline longer.
    retryNow() {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.connect();
      }
    }

    close() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.source) {
        this.source.close();
      }
    }
  }

  class StreamHub {
    constructor() {
      this.rooms = new Map(); // room -> { ports, stream, recent, seen, state, closeTimer }
      this.tabs = new Map(); // port -> { room, multiplexed }
      this.clockOffset = null;
      this.quietTimer = null;
    }

    // What a tab says: { type: 'join', room, lastEventId, multiplexed, tabLock } or { type: 'leave' }.
    handle(port, message) {
      const tab = this.tabs.get(port);
      if (tab) {
        tab.heardAt = Date.now();
      }
      if (message.type === 'join') {
        this.join(port, message);
      } else if (message.type === 'leave') {
        this.leave(port);
      }
    }

    join(port, { room, lastEventId, multiplexed, tabLock }) {
      const known = this.tabs.get(port);
      if (known && known.room !== room) {
        this.leave(port);
      }
      if (!known && tabLock && typeof navigator !== 'undefined' && navigator.locks) {
        // The tab holds this lock while it lives: granted here, it says the tab is gone, also
        // when it crashed or was discarded without a word.
        navigator.locks.request(tabLock, () => this.leave(port));
      } else if (!tabLock) {
        this.watchQuietTabs();
      }
      const raisesLimit = Boolean(multiplexed) && this.roomLimit() < ROOMS_MULTIPLEXED;
      this.tabs.set(port, { room, multiplexed: Boolean(multiplexed), heardAt: Date.now() });
      let entry = this.rooms.get(room);
      if (!entry) {
        entry = { room, ports: new Set(), stream: null, recent: [], seen: new Set(), trimmed: false,
          from: null, resumeFrom: lastEventId || null, state: { state: 'connecting' }, closeTimer: null };
        this.rooms.set(room, entry);
      }
      clearTimeout(entry.closeTimer);
      entry.closeTimer = null;
      entry.ports.add(port);
      port.postMessage({ type: 'messages', room, messages: entry.recent });
      port.postMessage(Object.assign({ type: 'state', room }, entry.state));
      if (this.clockOffset !== null) {
        port.postMessage({ type: 'clock', offset: this.clockOffset });
      }
      if (entry.stream) {
        this.catchUpIfBehind(port, entry, lastEventId);
      } else {
        this.start(entry, entry.resumeFrom);
      }
      if (raisesLimit) {
        this.startWaiting();
      }
    }

    // A tab that showed messages up to lastEventId joins a stream that began after it, or whose
    // recent messages no longer reach back to it (a tab back from the back-forward cache, a
    // follower behind when the lead changed hands): it gets what lies between from a stream of
    // its own, until that meets what the room's stream delivered.
    catchUpIfBehind(port, entry, lastEventId) {
      if (!lastEventId || entry.seen.has(lastEventId)) {
        return;
      }
      const oldestKnown = entry.trimmed || !entry.from ? (entry.recent[0] && entry.recent[0].id) : entry.from;
      if (!oldestKnown || !older(lastEventId, oldestKnown)) {
        return;
      }
      const source = new EventSource('sse?room=' + encodeURIComponent(entry.room)
        + '&lastEventId=' + encodeURIComponent(lastEventId));
      let finished = false;
      const done = (caughtUp) => {
        if (finished) {
          return;
        }
        finished = true;
        clearTimeout(timer);
        source.close();
        if (!caughtUp && entry.ports.has(port)) {
          // Failed or stuck before it met the room's stream: the tab says a gap may be there.
          port.postMessage({ type: 'reset', room: entry.room, reason: 'the messages missed meanwhile could not be fetched' });
        }
      };
      const timer = setTimeout(() => done(false), CATCH_UP_MILLIS);
      source.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        if (entry.seen.has(message.id) || !entry.ports.has(port)) {
          done(true); // caught up with the room's stream (or the tab left)
          return;
        }
        port.postMessage({ type: 'message', room: entry.room, message });
      });
      source.addEventListener('reset', (event) => {
        port.postMessage({ type: 'reset', room: entry.room, reason: JSON.parse(event.data).reason });
      });
      source.addEventListener('error', () => done(false));
    }

    // Without Web Locks (plain HTTP), tabs say they live; the ones that went quiet are dropped.
    watchQuietTabs() {
      if (this.quietTimer) {
        return;
      }
      this.quietTimer = setInterval(() => {
        const now = Date.now();
        for (const [port, tab] of this.tabs) {
          if (now - tab.heardAt > QUIET_TAB_MILLIS) {
            this.leave(port);
          }
        }
      }, QUIET_TAB_MILLIS / 5);
    }

    leave(port) {
      const tab = this.tabs.get(port);
      if (!tab) {
        return;
      }
      this.tabs.delete(port);
      const entry = this.rooms.get(tab.room);
      if (!entry) {
        return;
      }
      entry.ports.delete(port);
      if (entry.ports.size === 0 && entry.closeTimer === null) {
        entry.closeTimer = setTimeout(() => this.closeRoom(entry), CLOSE_EMPTY_ROOM_AFTER_MILLIS);
      }
    }

    closeRoom(entry) {
      if (entry.stream) {
        entry.stream.close();
      }
      this.rooms.delete(entry.room);
      this.startWaiting();
    }

    // How many rooms may have a stream now: more when a tab says its page came over HTTP/2 or 3.
    roomLimit() {
      for (const tab of this.tabs.values()) {
        if (tab.multiplexed) {
          return ROOMS_MULTIPLEXED;
        }
      }
      return ROOMS_OVER_HTTP1;
    }

    streamsOpen() {
      let open = 0;
      for (const entry of this.rooms.values()) {
        if (entry.stream) {
          open++;
        }
      }
      return open;
    }

    start(entry, lastEventId) {
      if (this.streamsOpen() >= this.roomLimit()) {
        this.setState(entry, { state: 'waiting', limit: this.roomLimit() });
        return;
      }
      const newest = entry.recent.length > 0 ? entry.recent[entry.recent.length - 1].id : null;
      entry.from = newest || lastEventId || null;
      this.setState(entry, { state: 'connecting' });
      entry.stream = new RoomStream(entry.room, entry.from, {
        message: (message) => this.deliver(entry, message),
        reset: (data) => this.send(entry, { type: 'reset', room: entry.room, reason: data.reason }),
        expired: () => this.send(entry, { type: 'expired', room: entry.room }),
        time: (iso) => this.setClock(Date.parse(iso) - Date.now()),
        state: (state) => this.setState(entry, state),
      });
    }

    startWaiting() {
      for (const entry of this.rooms.values()) {
        if (!entry.stream && entry.ports.size > 0) {
          this.start(entry, entry.resumeFrom);
        }
      }
    }

    deliver(entry, message) {
      if (message.id) {
        if (entry.seen.has(message.id)) {
          return; // EventSource reconnected without an id yet and got the history again
        }
        entry.seen.add(message.id);
      }
      entry.recent.push(message);
      if (entry.recent.length > HISTORY_ON_FIRST_LOAD) {
        const dropped = entry.recent.shift();
        entry.seen.delete(dropped.id);
        entry.trimmed = true;
      }
      this.send(entry, { type: 'message', room: entry.room, message });
    }

    setState(entry, state) {
      entry.state = state;
      this.send(entry, Object.assign({ type: 'state', room: entry.room }, state));
    }

    setClock(offset) {
      if (Number.isNaN(offset)) {
        return;
      }
      this.clockOffset = offset;
      for (const port of this.tabs.keys()) {
        port.postMessage({ type: 'clock', offset });
      }
    }

    send(entry, message) {
      for (const port of entry.ports) {
        port.postMessage(message);
      }
    }

    retryNow() {
      for (const entry of this.rooms.values()) {
        if (entry.stream) {
          entry.stream.retryNow();
        }
      }
    }

    closeAll() {
      clearInterval(this.quietTimer);
      for (const entry of this.rooms.values()) {
        clearTimeout(entry.closeTimer);
        if (entry.stream) {
          entry.stream.close();
        }
      }
      this.rooms.clear();
      this.tabs.clear();
    }
  }

  StreamHub.ROOMS_OVER_HTTP1 = ROOMS_OVER_HTTP1;
  StreamHub.backoff = backoff;
  return StreamHub;
})();
