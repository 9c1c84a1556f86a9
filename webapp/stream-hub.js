// The stream of all tabs of this browser, held in one place: a SharedWorker (stream-worker.js),
// or, where a browser has none, the tab elected leader (stream-link.js). Tabs are "ports" here:
// anything with postMessage. Each tab says which rooms it follows; the hub holds ONE EventSource
// for all of them, `sse?room=a&room=b&...&clock=1&presence=1&history=50` (see docs/protocol.md,
// "Many rooms on one stream"), and hands each tab the messages of its rooms, and who is in each
// room and who is typing there (`presence` and `typing` events, which name their room; a stream
// gets them only when it asks, `presence=1`). The stream starts with
// the server's time, so the clock needs no connection of its own. A reader without a token gives
// the stream the name they post under (`&name=`), so that the others see who is here.
//
// When the set of rooms changes, or a stream that failed for good (any answer but 200
// text/event-stream: a 502 while a backend restarts) is opened again with capped, jittered
// backoff, the new stream carries `lastEventId=room:id,room:id`, built here from the newest id
// of each room: the old rooms resume exactly, a new one starts with its newest 50.
/* exported StreamHub */
var StreamHub = (function () {
  'use strict';

  const HISTORY_ON_FIRST_LOAD = 50; // also how many recent messages a tab that joins later is given
  const MAX_ROOMS = 32; // the server's CHAT_MAX_ROOMS_PER_STREAM by default: more is a 400
  const BACKOFF_FIRST_MILLIS = 1000;
  const BACKOFF_MAX_MILLIS = 30000;
  const CLOSE_EMPTY_ROOM_AFTER_MILLIS = 2000; // a reload while another tab lives keeps the room
  const QUIET_TAB_MILLIS = 150000; // without Web Locks, a tab silent this long is gone (timers of
  // hidden tabs may fire once a minute only)
  const CATCH_UP_MILLIS = 15000;
  // A name the server refuses (400) fails the stream like a 502 does: after this many failures in
  // a row the stream is opened without it, and the reader counts as someone without a name.
  const NAMELESS_AFTER_FAILURES = 3;

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

  // An event id: a one-room stream's is the message's id; a many-room stream's is the stream's
  // position in every room, `room:id,room:id`. Gives { room: id }.
  function positions(eventId, room) {
    const found = {};
    if (eventId.indexOf(':') < 0) {
      found[room] = eventId;
      return found;
    }
    for (const pair of eventId.split(',')) {
      const colon = pair.lastIndexOf(':');
      if (colon > 0) {
        found[pair.slice(0, colon)] = pair.slice(colon + 1);
      }
    }
    return found;
  }

  function compositeId(rooms, positionOf) {
    return rooms.filter((room) => positionOf(room)).map((room) => room + ':' + positionOf(room)).join(',');
  }

  // The one EventSource, for the rooms it was opened with; opened again (with backoff) when
  // EventSource gives up for good. `hub` gives it its rooms and their positions at each opening.
  class RoomsStream {
    constructor(hub) {
      this.hub = hub;
      this.failures = 0;
      this.refusal = null;
      this.source = null;
      this.timer = null;
      this.rooms = [];
      this.newRooms = null; // rooms without a position at this opening, until its time event
      this.historyBefore = new Map(); // room -> server millis: its messages older came as history
    }

    url() {
      const positionOf = (room) => this.hub.position(room);
      this.rooms = this.hub.streamRooms();
      this.newRooms = this.rooms.filter((room) => !positionOf(room));
      const id = compositeId(this.rooms, positionOf);
      return 'sse?' + this.rooms.map((room) => 'room=' + encodeURIComponent(room)).join('&')
        + '&clock=1&presence=1&history=' + HISTORY_ON_FIRST_LOAD + (id ? '&lastEventId=' + encodeURIComponent(id) : '')
        + this.hub.nameParameter(this.failures < NAMELESS_AFTER_FAILURES);
    }

    connect() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.source) {
        this.source.close();
      }
      const source = new EventSource(this.url());
      this.source = source;
      source.addEventListener('open', () => {
        this.failures = 0;
        this.refusal = null;
        this.hub.setState({ state: 'live' });
      });
      source.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        const room = message.room || this.rooms[0];
        if (event.lastEventId) {
          this.hub.advance(positions(event.lastEventId, room));
        }
        const start = this.historyBefore.get(room);
        const history = start !== undefined && message.id && Number(message.id.split('-')[0]) < start;
        this.hub.deliver(room, message, !history);
      });
      // The first event of every opening: the rooms that came without a position get their newest
      // messages as history, all older than this (they raise no unread count).
      source.addEventListener('time', (event) => {
        const now = Date.parse(event.data);
        if (this.newRooms !== null) {
          this.newRooms.forEach((room) => this.historyBefore.set(room, now));
          this.newRooms = null;
        }
        this.hub.setClock(now - Date.now());
      });
      source.addEventListener('reset', (event) => {
        const data = JSON.parse(event.data);
        this.hub.reset(data.room || this.rooms[0], data.reason);
      });
      // Who is in a room, when that changed (not when the stream opens: a tab asks GET presence).
      source.addEventListener('presence', (event) => {
        const presence = JSON.parse(event.data);
        this.hub.presence(presence.room || this.rooms[0], presence);
      });
      // Someone else is typing in a room.
      source.addEventListener('typing', (event) => {
        const typing = JSON.parse(event.data);
        this.hub.typing(typing.room || this.rooms[0], typing);
      });
      // The token ended the stream; EventSource comes back by itself, with a refreshed cookie or not.
      source.addEventListener('expired', () => this.hub.broadcast({ type: 'expired' }));
      // A node that cannot take the stream says why and when to come back, then ends it.
      source.addEventListener('refused', (event) => {
        this.refusal = JSON.parse(event.data);
      });
      source.addEventListener('error', () => {
        if (source !== this.source) {
          return;
        }
        if (source.readyState === EventSource.CLOSED) {
          this.retryLater(); // EventSource gave up for good (a 502, a 401): this one does not
        } else if (this.refusal) {
          // EventSource comes back by itself after the refusal's retry: delay.
          this.hub.setState({ state: 'reconnecting', retryAt: Date.now() + this.refusal.retryMillis,
            reason: this.refusal.error });
        } else {
          this.hub.setState({ state: 'reconnecting' });
        }
      });
    }

    retryLater() {
      this.source.close();
      this.failures++;
      const delay = backoff(this.failures, this.refusal ? this.refusal.retryMillis : 0);
      this.hub.setState({ state: 'reconnecting', retryAt: Date.now() + delay,
        reason: this.refusal ? this.refusal.error : null });
      this.timer = setTimeout(() => this.connect(), delay);
    }

    // Back online: waiting out a backoff would only keep the reader offline longer.
    retryNow() {
      if (this.timer !== null) {
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
      this.rooms = new Map(); // room -> { ports, recent, seen, position, presence, closeTimer }
      this.tabs = new Map(); // port -> { rooms: Set, heardAt }
      this.name = null; // the reader's name, for the others' presence; null with a token or none given
      this.stream = null;
      this.state = { state: 'connecting' };
      this.clockOffset = null;
      this.quietTimer = null;
    }

    // What a tab says: { type: 'join', rooms, lastEventIds: { room: id }, tabLock, name } (again
    // whenever its rooms or the reader's name change), { type: 'leave' } or { type: 'alive' }.
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

    join(port, { rooms, lastEventIds, tabLock, name }) {
      const ids = lastEventIds || {};
      // Every tab reads the name from one place (localStorage), so the newest join has it right.
      const renamed = name !== undefined && (name || null) !== this.name;
      if (renamed) {
        this.name = name || null;
      }
      let tab = this.tabs.get(port);
      if (!tab) {
        if (tabLock && typeof navigator !== 'undefined' && navigator.locks) {
          // The tab holds this lock while it lives: granted here, it says the tab is gone, also
          // when it crashed or was discarded without a word.
          navigator.locks.request(tabLock, () => this.leave(port));
        } else if (!tabLock) {
          this.watchQuietTabs();
        }
        tab = { rooms: new Set(), heardAt: Date.now() };
        this.tabs.set(port, tab);
        port.postMessage(Object.assign({ type: 'state' }, this.state));
        if (this.clockOffset !== null) {
          port.postMessage({ type: 'clock', offset: this.clockOffset });
        }
      }
      const wanted = new Set((rooms || []).slice(0, MAX_ROOMS));
      for (const room of tab.rooms) {
        if (!wanted.has(room)) {
          this.leaveRoom(port, room);
        }
      }
      const behind = {};
      let added = false;
      for (const room of wanted) {
        if (tab.rooms.has(room)) {
          continue;
        }
        tab.rooms.add(room);
        let entry = this.rooms.get(room);
        if (!entry) {
          // A room this hub never held starts where the tab stands (a new leader), or fresh.
          entry = { room, ports: new Set(), recent: [], seen: new Set(), trimmed: false,
            position: ids[room] || null, from: ids[room] || null, presence: null, closeTimer: null };
          this.rooms.set(room, entry);
          added = true;
        }
        clearTimeout(entry.closeTimer);
        entry.closeTimer = null;
        entry.ports.add(port);
        port.postMessage({ type: 'messages', room, messages: entry.recent });
        if (entry.presence) {
          port.postMessage({ type: 'presence', room, presence: entry.presence });
        }
        if (ids[room] && this.isBehind(entry, ids[room])) {
          behind[room] = ids[room];
        }
      }
      if (added || (renamed && this.stream)) {
        this.reopen(); // a new name counts for presence only on a stream opened with it
      }
      if (Object.keys(behind).length > 0) {
        this.catchUp(port, behind);
      }
    }

    // The rooms the stream carries: every room some tab follows, and rooms left a moment ago.
    streamRooms() {
      return Array.from(this.rooms.keys()).slice(0, MAX_ROOMS);
    }

    position(room) {
      const entry = this.rooms.get(room);
      return entry ? entry.position : null;
    }

    // '&name=...' for a stream of a reader who gave a name and has no token; '' otherwise.
    nameParameter(named) {
      return named && this.name ? '&name=' + encodeURIComponent(this.name) : '';
    }

    advance(found) {
      for (const room of Object.keys(found)) {
        const entry = this.rooms.get(room);
        if (entry && (!entry.position || older(entry.position, found[room]))) {
          entry.position = found[room];
        }
      }
    }

    // The set of rooms changed: the stream is opened again with the new set, resuming the old
    // rooms from their positions. A stream waiting out a backoff keeps its count of failures.
    reopen() {
      if (this.rooms.size === 0) {
        if (this.stream) {
          this.stream.close();
          this.stream = null;
        }
        return;
      }
      if (!this.stream) {
        this.stream = new RoomsStream(this);
        this.setState({ state: 'connecting' });
      }
      this.stream.connect();
    }

    // A tab that showed messages up to id has missed some if the hub's stream began after it, or
    // if its recent messages no longer reach back to it (a tab back from the back-forward cache, a
    // follower behind when the lead changed hands).
    isBehind(entry, id) {
      if (entry.seen.has(id)) {
        return false;
      }
      const oldestKnown = entry.trimmed || !entry.from ? (entry.recent[0] && entry.recent[0].id) : entry.from;
      return Boolean(oldestKnown) && older(id, oldestKnown);
    }

    // It gets what lies between from one short stream of its own for all such rooms, each room
    // until it meets what the hub's stream delivered.
    catchUp(port, behind) {
      const rooms = Object.keys(behind);
      const targets = new Map(rooms.map((room) => [room, this.rooms.get(room).position]));
      const id = compositeId(rooms, (room) => behind[room]);
      const source = new EventSource('sse?' + rooms.map((room) => 'room=' + encodeURIComponent(room)).join('&')
        + '&lastEventId=' + encodeURIComponent(id) + this.nameParameter(true));
      let finished = false;
      const done = () => {
        finished = true;
        clearTimeout(timer);
        source.close();
      };
      const giveUp = () => {
        if (finished) {
          return;
        }
        done();
        for (const room of targets.keys()) {
          const entry = this.rooms.get(room);
          if (entry && entry.ports.has(port)) {
            // Failed or stuck before it met the hub's stream: the tab says a gap may be there.
            port.postMessage({ type: 'reset', room, reason: 'the messages missed meanwhile could not be fetched' });
          }
        }
      };
      const timer = setTimeout(giveUp, CATCH_UP_MILLIS);
      source.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        const room = message.room || rooms[0];
        const entry = this.rooms.get(room);
        if (!targets.has(room) || !entry || !entry.ports.has(port)) {
          targets.delete(room);
        } else {
          if (!entry.seen.has(message.id)) {
            port.postMessage({ type: 'message', room, message, live: true });
          }
          if (!older(message.id, targets.get(room))) {
            targets.delete(room); // caught up with the hub's stream
          }
        }
        if (targets.size === 0 && !finished) {
          done();
        }
      });
      source.addEventListener('reset', (event) => {
        const data = JSON.parse(event.data);
        port.postMessage({ type: 'reset', room: data.room || rooms[0], reason: data.reason });
      });
      source.addEventListener('error', giveUp);
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
      for (const room of tab.rooms) {
        this.leaveRoom(port, room);
      }
    }

    leaveRoom(port, room) {
      const tab = this.tabs.get(port);
      if (tab) {
        tab.rooms.delete(room);
      }
      const entry = this.rooms.get(room);
      if (!entry) {
        return;
      }
      entry.ports.delete(port);
      if (entry.ports.size === 0 && entry.closeTimer === null) {
        entry.closeTimer = setTimeout(() => {
          this.rooms.delete(room);
          this.reopen();
        }, CLOSE_EMPTY_ROOM_AFTER_MILLIS);
      }
    }

    deliver(room, message, live) {
      const entry = this.rooms.get(room);
      if (!entry) {
        return; // a room left, until the stream is opened again without it
      }
      if (message.id) {
        if (entry.seen.has(message.id)) {
          return; // EventSource reconnected without an id yet and got the history again
        }
        entry.seen.add(message.id);
        if (!entry.position || older(entry.position, message.id)) {
          entry.position = message.id;
        }
      }
      entry.recent.push(message);
      if (entry.recent.length > HISTORY_ON_FIRST_LOAD) {
        const dropped = entry.recent.shift();
        entry.seen.delete(dropped.id);
        entry.trimmed = true;
      }
      this.send(entry, { type: 'message', room, message, live });
    }

    presence(room, presence) {
      const entry = this.rooms.get(room);
      if (entry) {
        entry.presence = presence; // for a tab that joins later
        this.send(entry, { type: 'presence', room, presence });
      }
    }

    typing(room, typing) {
      const entry = this.rooms.get(room);
      if (entry) {
        this.send(entry, { type: 'typing', room, typing });
      }
    }

    reset(room, reason) {
      const entry = this.rooms.get(room);
      if (entry) {
        this.send(entry, { type: 'reset', room, reason });
      }
    }

    setState(state) {
      this.state = state;
      this.broadcast(Object.assign({ type: 'state' }, state));
    }

    setClock(offset) {
      if (Number.isNaN(offset)) {
        return;
      }
      this.clockOffset = offset;
      this.broadcast({ type: 'clock', offset });
    }

    broadcast(message) {
      for (const port of this.tabs.keys()) {
        port.postMessage(message);
      }
    }

    send(entry, message) {
      for (const port of entry.ports) {
        port.postMessage(message);
      }
    }

    retryNow() {
      if (this.stream) {
        this.stream.retryNow();
      }
    }

    closeAll() {
      clearInterval(this.quietTimer);
      for (const entry of this.rooms.values()) {
        clearTimeout(entry.closeTimer);
      }
      if (this.stream) {
        this.stream.close();
        this.stream = null;
      }
      this.rooms.clear();
      this.tabs.clear();
    }
  }

  StreamHub.MAX_ROOMS = MAX_ROOMS;
  StreamHub.backoff = backoff;
  StreamHub.older = older;
  return StreamHub;
})();
