// The sse-chat page: the rooms a person follows (followed-rooms.js), all on one stream shared by
// every tab of this browser (stream-hub.js), one of them shown, older messages loaded from
// GET history as the reader scrolls up, who is here and who is typing (people.js), and a form
// whose messages go out through the outbox (outbox.js: POST chat, tried again until accepted,
// shown as "sending…" meanwhile). Every URL is relative, so the page works under any context
// path, and every text from the network is set with textContent, never as HTML.
/* global openStreamLink, StreamHub, RoomLog, FollowedRooms, People, Outbox */
(function () {
  'use strict';

  const NAME_KEY = 'sse-chat.user';
  const OLDER_PAGE = 50; // messages a GET history asks for
  const NEAR_TOP_PIXELS = 80; // scrolled this close to the top, the next older page is loaded
  const KEEP_UNREAD_ROOM_ITEMS = 300; // what a room nobody reads in this tab keeps of its messages
  const TYPING_EVERY_MILLIS = 2000; // at most one POST typing this often while the reader types
  const POST_TIMEOUT_MILLIS = 15000; // a POST unanswered this long counts as failed on the network

  const $ = (id) => document.getElementById(id);
  const list = $('messages');
  const scroller = document.scrollingElement || document.documentElement; // the page scrolls as a whole
  const jump = $('jump');
  const emptyHint = $('empty');
  const status = $('status');
  const form = $('send');
  const userInput = $('user');
  const textInput = $('text');
  const errorBox = $('error');
  const roomList = $('room-list');
  const roomForm = $('room-form');
  const roomInput = $('room');
  const roomError = $('room-error');
  const roomsPanel = $('rooms-panel');
  const roomsToggle = $('rooms-toggle');
  const unreadTotal = $('unread-total');
  const olderButton = $('older');
  const olderNote = $('older-note');
  const peopleLine = $('people');
  const pendingList = $('pending');
  const typingLine = $('typing');
  // One format for every time on the page: the clock's and the messages'.
  const timeFormat = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const formatTime = (date) => timeFormat.format(date);

  const logs = new Map(); // room -> RoomLog, for every room followed or shown
  const access = new Map(); // room -> { canRead, canPost, why }: what GET me said of it
  let room = null; // the room shown in this tab
  let streamState = { state: 'connecting' };
  let me = null; // who the server says a token makes this reader ({id, name}), or null
  let clockOffset = null; // the server's clock minus this one's, from the stream's time event
  let joined = false;
  const presence = new Map(); // room -> who is in it, as the server last said
  const presenceEvents = new Map(); // room -> how many presence events came: a GET answer older than one is dropped
  const typing = new People.Typing();
  const outbox = new Outbox({ post: postMessage, onChange: sendingChanged }); // what this tab is sending
  window.addEventListener('online', () => outbox.retryNow());

  userInput.value = localStorage.getItem(NAME_KEY) || '';

  // The name this browser's stream gives for the others' presence: the name last saved in any
  // of its tabs (they share the stream); none with a token (the token names the reader).
  function streamName() {
    const saved = (localStorage.getItem(NAME_KEY) || '').trim();
    return me || !People.isName(saved) ? null : saved;
  }

  // Whether a member of a room's presence is this reader: the token's account, or the name this
  // browser's stream gives (what made them a member), not what the name field holds this moment.
  function isMe(member) {
    return me ? member.userId === me.id : !member.userId && member.name === streamName();
  }

  // Whether someone typing is the reader of this tab: the token's account, or the name in this
  // tab's field, which its typing notices go under (as its messages set apart as its own do).
  function isThisTabTyping(event) {
    return me ? event.userId === me.id : !event.userId && event.user === userInput.value.trim();
  }

  const followed = new FollowedRooms(StreamHub.MAX_ROOMS, () => followedChanged());

  function logOf(name) {
    if (!logs.has(name)) {
      logs.set(name, new RoomLog(name));
    }
    return logs.get(name);
  }

  // --- may this reader read a room? ------------------------------------------------------------

  // GET me: an HttpOnly token cookie is the server's to read. A room the token does not allow
  // would make the whole stream 401 or 403, and EventSource would give up on every room: such a
  // room is never followed. Without tokens (or when the server cannot be reached) all is allowed.
  async function checkAccess(name) {
    let answer;
    try {
      const response = await fetch('me?room=' + encodeURIComponent(name));
      answer = { status: response.status, body: await response.json() };
    } catch (e) {
      return { canRead: true, canPost: true, why: null };
    }
    if (answer.status === 401) { // a token was sent but is not accepted (expired, say)
      return { canRead: false, canPost: false,
        why: 'This room needs you to sign in (' + (answer.body.error || 'your sign-in is not valid') + ').' };
    }
    if (answer.status !== 200) {
      return { canRead: true, canPost: true, why: null };
    }
    me = answer.body.user ? { id: answer.body.user.id, name: answer.body.user.name } : null;
    if (!answer.body.canRead) {
      return { canRead: false, canPost: false,
        why: answer.body.user ? 'Your account may not read this room.' : 'This room needs you to sign in.' };
    }
    return { canRead: true, canPost: Boolean(answer.body.canPost),
      why: answer.body.canPost ? null : 'You may read this room but not post to it.' };
  }

  async function knowAccess(names, again) {
    await Promise.all(names.filter((name) => again || !access.has(name)).map(async (name) => {
      access.set(name, await checkAccess(name));
    }));
  }

  const readable = (name) => !access.has(name) || access.get(name).canRead;

  // The rooms this tab asks the hub for: those followed that it may read.
  function streamRooms() {
    return followed.list().filter((name) => access.has(name) && readable(name));
  }

  // --- the stream: one for all rooms and all tabs of this browser (see stream-hub.js) ---------

  // A tab id, and a lock held while the tab lives: whoever holds the stream learns from it
  // when the tab is gone, even if it crashed. Web Locks exist in secure contexts only (HTTPS,
  // localhost); without them tabs say they live instead (see stream-link.js).
  const tabId = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const locks = window.isSecureContext && navigator.locks ? navigator.locks : null;
  const tabLock = locks ? 'sse-chat-tab-' + tabId : null;
  const tabLockHeld = locks
    ? new Promise((held) => locks.request(tabLock, () => { held(); return new Promise(() => {}); }))
    : Promise.resolve();

  function joinMessage() {
    const rooms = streamRooms();
    const lastEventIds = {};
    for (const name of rooms) {
      const newest = logs.has(name) ? logs.get(name).newestId() : null;
      if (newest) {
        lastEventIds[name] = newest;
      }
    }
    return { type: 'join', rooms, lastEventIds, tabLock, name: streamName() };
  }

  const link = openStreamLink({
    tabId: tabId,
    locks: locks,
    joinMessage: joinMessage,
    onEvent: (event) => {
      switch (event.type) {
        case 'messages':
          event.messages.forEach((message) => addMessage(event.room, message, false));
          break;
        case 'message':
          addMessage(event.room, event.message, event.live);
          break;
        case 'reset':
          addNotice(event.room, 'Some earlier messages may be missing.');
          break;
        case 'expired':
          recheckAll(); // the stream comes back by itself if the backend refreshed the token
          break;
        case 'state': {
          const wasLive = streamState.state === 'live';
          streamState = event;
          showState();
          if (!wasLive && event.state === 'live') {
            askPresence(room); // a stream is not told who is here when it opens
          }
          break;
        }
        case 'presence':
          presenceEvents.set(event.room, (presenceEvents.get(event.room) || 0) + 1);
          setPresence(event.room, event.presence);
          break;
        case 'typing':
          heardTyping(event.room, event.typing);
          break;
        case 'clock':
          clockOffset = event.offset;
          break;
      }
    },
  });
  document.documentElement.dataset.transport = link.kind;

  function sendJoin() {
    if (joined) {
      link.send(joinMessage());
    }
  }

  // --- the conversation shown ------------------------------------------------------------------

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
    jump.hidden = true;
  }

  function render(item) {
    const element = document.createElement('li');
    if (item.kind === 'notice') {
      element.className = 'notice';
      element.textContent = item.text;
      return element;
    }
    const message = item.message;
    element.className = 'message';
    if (me ? message.userId === me.id : !message.userId && message.user === userInput.value.trim()) {
      element.classList.add('own');
    }
    const who = document.createElement('span');
    who.className = 'user';
    who.textContent = message.user;
    const when = document.createElement('time');
    when.dateTime = message.time;
    when.textContent = formatTime(new Date(message.time));
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = message.text;
    element.append(who, when, text);
    return element;
  }

  // An item went into the shown room's log at index: into the list at the same place. At the end
  // it follows the conversation if the reader was at the end already; above, it moves nothing.
  function showItem(index, item) {
    const follow = nearBottom();
    const next = list.children[index] || null;
    list.insertBefore(render(item), next);
    showIfEmpty();
    if (next === null) {
      if (follow) {
        scrollToEnd();
      } else {
        jump.hidden = false;
      }
    }
  }

  // fromAnswer: the answer to this tab's POST, which a stream will bring too (or brought).
  function addMessage(name, message, live, fromAnswer) {
    const log = logOf(name);
    const index = log.addMessage(message, fromAnswer);
    if (index < 0) {
      return; // shown already, whatever the network did
    }
    if (!fromAnswer) {
      if (typing.stopped(name, message) && name === room) {
        showTyping(); // they sent what they typed
      }
      if (adoptPending(name, message) && name === room) {
        showPending();
      }
    }
    if (name === room) {
      showItem(index, log.items[index]);
    } else {
      if (live) {
        log.unread++;
        showRooms();
      }
      log.trim(KEEP_UNREAD_ROOM_ITEMS);
    }
  }

  function addNotice(name, text) {
    const log = logOf(name);
    const index = log.addNotice(text);
    if (name === room) {
      showItem(index, log.items[index]);
    }
  }

  // "No messages yet": said only while the stream is live, so the room's history has been asked
  // for, and no message is shown. Whatever changes either calls this, so the hint never outlives
  // what it says.
  function showIfEmpty() {
    const log = logOf(room);
    const blocked = access.has(room) && !access.get(room).canRead;
    const mayPost = !access.has(room) || access.get(room).canPost;
    if (blocked) {
      emptyHint.textContent = access.get(room).why;
    } else if (access.has(room) && !followed.has(room)) {
      emptyHint.textContent = 'You do not follow #' + room + '.' + (followed.isFull()
        ? ' You follow ' + StreamHub.MAX_ROOMS + ' rooms, the most one connection carries: leave one to follow this one.'
        : ' Type its name under Rooms to follow it.');
    } else {
      emptyHint.textContent = 'No messages yet in #' + room + '.' + (mayPost ? ' Say hello!' : '');
    }
    const live = status.dataset.state === 'live';
    const any = log.messageCount() > 0 || pendingList.children.length > 0;
    emptyHint.hidden = any || !(blocked || (access.has(room) && !followed.has(room)) || live);
    showOlder();
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
    showIfEmpty();
  }

  let stateTimer = null;

  // The stream's state, or why the room shown has none.
  function showState() {
    clearInterval(stateTimer);
    stateTimer = null;
    const state = streamState;
    status.title = state.reason || '';
    if (access.has(room) && !access.get(room).canRead) {
      setStatus('offline', 'not allowed in');
    } else if (access.has(room) && !followed.has(room)) {
      setStatus('offline', 'not following');
    } else if (state.state === 'live') {
      setStatus('live', 'live');
    } else if (state.state === 'reconnecting' && state.retryAt) {
      const countDown = () => {
        const seconds = Math.ceil((state.retryAt - Date.now()) / 1000);
        setStatus('reconnecting', seconds > 0 ? 'reconnecting in ' + seconds + ' s' : 'reconnecting…');
      };
      countDown();
      stateTimer = setInterval(countDown, 250);
    } else if (state.state === 'reconnecting') {
      setStatus('reconnecting', 'reconnecting…');
    } else {
      setStatus('connecting', 'connecting…');
    }
  }

  // Who may post here: the composer follows the room shown.
  const identity = $('identity');
  const composer = form.querySelectorAll('input, textarea, button');

  function showComposer() {
    const known = access.get(room);
    const allowed = !known || known.canPost;
    const why = known ? known.why : null;
    composer.forEach((control) => { control.disabled = !allowed; });
    form.classList.toggle('identified', me !== null);
    userInput.required = me === null;
    identity.hidden = !why && !me;
    identity.textContent = why || (me ? 'Posting as ' + me.name : '');
  }

  // Shows a room in this tab: no connection opens, the stream carries every room followed.
  function show(name, how) {
    room = name;
    const log = logOf(name);
    log.unread = 0;
    if (how === 'push') {
      history.pushState({ room: name }, '', '?room=' + encodeURIComponent(name));
    } else if (how === 'replace') {
      history.replaceState({ room: name }, '', '?room=' + encodeURIComponent(name));
    }
    $('room-name').textContent = '#' + name;
    document.title = '#' + name + ' · sse-chat';
    list.setAttribute('aria-busy', 'true'); // a whole room is not news to be read out
    list.replaceChildren(...log.items.map(render));
    list.removeAttribute('aria-busy');
    showPending();
    showRooms();
    showState();
    showComposer();
    showPeople();
    showTyping();
    scrollToEnd();
    if (streamState.state === 'live') {
      askPresence(name);
    }
  }

  // --- who is here, who is typing ------------------------------------------------------------------

  function setPresence(name, known) {
    presence.set(name, known);
    if (name === room) {
      showPeople();
    }
  }

  // GET presence: who is in a room now. An answer that a presence event overtook is dropped.
  async function askPresence(name) {
    if (!followed.has(name) || !readable(name)) {
      return;
    }
    const eventsBefore = presenceEvents.get(name) || 0;
    try {
      const response = await fetch('presence?room=' + encodeURIComponent(name));
      if (!response.ok) {
        return; // not allowed (401, 403): the line stays as it was
      }
      const known = await response.json();
      if ((presenceEvents.get(name) || 0) === eventsBefore) {
        setPresence(name, known);
      }
    } catch (e) {
      // offline: the stream's next presence event will say
    }
  }

  function showPeople() {
    const known = followed.has(room) && readable(room) ? presence.get(room) : null;
    const line = People.presenceLine(known, isMe);
    peopleLine.textContent = line;
    peopleLine.title = line ? People.presenceNames(known, isMe) : '';
    peopleLine.hidden = line === '';
  }

  function heardTyping(name, event) {
    if (isThisTabTyping(event)) {
      return; // the server skips the sender's own streams when it can tell them; this when it cannot
    }
    typing.heard(Object.assign({}, event, { room: name }), Date.now());
    if (name === room) {
      showTyping();
    }
  }

  let typingTimer = null;

  // "Ann is typing…" under the conversation, until 5 s after her last typing event.
  function showTyping() {
    clearTimeout(typingTimer);
    const now = Date.now();
    const names = typing.names(room, now);
    typingLine.textContent = People.typingLine(names);
    typingLine.hidden = names.length === 0;
    const next = typing.nextChange(now);
    typingTimer = next === null ? null : setTimeout(showTyping, next - now + 20);
  }

  // While the reader types a message: POST typing, at most every 2 s in a room.
  let typingSent = { room: null, at: 0 };
  let typingPausedUntil = 0; // a 429's Retry-After

  function sayTyping() {
    const now = Date.now();
    const user = me ? me.name : userInput.value.trim();
    if (textInput.value.trim() === '' || !People.isName(user) || now < typingPausedUntil || !followed.has(room)
      || (access.has(room) && !access.get(room).canPost)
      || (typingSent.room === room && now - typingSent.at < TYPING_EVERY_MILLIS)) {
      return;
    }
    typingSent = { room, at: now };
    fetch('typing', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room, user }),
    }).then((response) => {
      if (response.status === 429) {
        typingPausedUntil = Date.now() + (Number(response.headers.get('Retry-After')) || 2) * 1000;
      }
    }).catch(() => {
      // a lost typing notice matters to nobody
    });
  }

  textInput.addEventListener('input', sayTyping);

  // The name is the reader's once they leave the field (or send): the stream gives it to the
  // others' presence (stream-hub.js), and tabs opened later start with it.
  function saveName(name) {
    if (me || name === (localStorage.getItem(NAME_KEY) || '')) {
      return;
    }
    localStorage.setItem(NAME_KEY, name);
    sendJoin();
    showPeople();
  }

  userInput.addEventListener('change', () => saveName(userInput.value.trim()));

  // --- the rooms ---------------------------------------------------------------------------------

  function showRooms() {
    const focused = document.activeElement && roomList.contains(document.activeElement)
      ? [document.activeElement.closest('li').dataset.room, document.activeElement.className] : null;
    let total = 0;
    roomList.replaceChildren(...followed.list().map((name) => {
      const log = logOf(name);
      const item = document.createElement('li');
      item.className = 'room-item';
      item.dataset.room = name;
      const go = document.createElement('a');
      go.className = 'go';
      go.href = '?room=' + encodeURIComponent(name);
      go.textContent = '#' + name;
      if (name === room) {
        go.setAttribute('aria-current', 'page');
      }
      if (!readable(name)) {
        go.classList.add('blocked');
        go.title = access.get(name).why;
      }
      if (log.unread > 0 && name !== room) {
        total += log.unread;
        const count = document.createElement('span');
        count.className = 'unread';
        count.textContent = log.unread > 99 ? '99+' : String(log.unread);
        const words = document.createElement('span');
        words.className = 'visually-hidden';
        words.textContent = log.unread === 1 ? ' unread message' : ' unread messages';
        count.append(words);
        go.append(' ', count);
      }
      const leave = document.createElement('button');
      leave.type = 'button';
      leave.className = 'leave';
      leave.textContent = '×';
      leave.setAttribute('aria-label', 'Leave #' + name);
      leave.title = 'Leave #' + name;
      item.append(go, leave);
      return item;
    }));
    unreadTotal.hidden = total === 0;
    unreadTotal.textContent = total > 0 ? String(total) : '';
    unreadTotal.setAttribute('aria-label', total + (total === 1 ? ' unread message' : ' unread messages'));
    if (focused) {
      const again = roomList.querySelector('li[data-room="' + focused[0] + '"] .' + focused[1].split(' ')[0]);
      if (again) {
        again.focus();
      }
    }
  }

  roomList.addEventListener('click', (event) => {
    const target = event.target.closest('a, button');
    if (!target || event.ctrlKey || event.metaKey || event.shiftKey || event.button > 0) {
      return; // a new tab or window, as a link does
    }
    const name = target.closest('li').dataset.room;
    event.preventDefault();
    if (target.classList.contains('leave')) {
      leaveRoom(name);
    } else {
      show(name, 'push');
      closePanel();
      $('conversation').focus();
    }
  });

  function leaveRoom(name) {
    followed.remove(name);
    roomError.textContent = '';
    sendJoin();
    if (name === room) {
      const next = followed.list()[0];
      if (next) {
        show(next, 'replace');
      } else {
        show(name);
      }
    } else {
      showRooms();
    }
    roomInput.focus();
  }

  // Follows a room (if the reader may read it and the stream can carry it), and shows it.
  async function follow(name, how) {
    roomError.textContent = '';
    await knowAccess([name]);
    const known = access.get(name);
    if (!known.canRead) {
      roomError.textContent = '#' + name + ': ' + known.why;
      return false;
    }
    if (followed.add(name) === 'full') {
      roomError.textContent = 'You follow ' + StreamHub.MAX_ROOMS + ' rooms, the most one connection carries: '
        + 'leave one to follow #' + name + '.';
      return false;
    }
    sendJoin();
    show(name, how);
    return true;
  }

  roomForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = roomInput.value.trim();
    if (!FollowedRooms.isName(name)) {
      roomError.textContent = 'A room name is 1 to 64 letters, digits, _ or -.';
      return;
    }
    if (await follow(name, 'push')) {
      roomInput.value = '';
      closePanel();
    }
  });

  // Another tab followed or left a room: this one follows the same, once it knows it may.
  async function followedChanged() {
    await knowAccess(followed.list());
    sendJoin();
    if (!followed.has(room) && followed.list().length > 0 && access.has(room) && readable(room)) {
      show(followed.list()[0], 'replace'); // left in another tab
    } else {
      showRooms();
      showState();
    }
  }

  // A token that expired: asks again for every room; those no longer allowed leave the stream.
  async function recheckAll() {
    await knowAccess(followed.list().concat(room), true);
    sendJoin();
    showRooms();
    showState();
    showComposer();
  }

  // On a narrow screen the list is a panel the header's button opens.
  function closePanel() {
    roomsPanel.classList.remove('open');
    roomsToggle.setAttribute('aria-expanded', 'false');
  }

  roomsToggle.addEventListener('click', () => {
    const open = !roomsPanel.classList.contains('open');
    roomsPanel.classList.toggle('open', open);
    roomsToggle.setAttribute('aria-expanded', String(open));
    if (open) {
      (roomList.querySelector('a') || roomInput).focus();
    }
  });
  roomsPanel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && roomsPanel.classList.contains('open')) {
      closePanel();
      roomsToggle.focus();
    }
  });

  window.addEventListener('popstate', () => {
    const name = new URLSearchParams(location.search).get('room') || followed.list()[0] || 'general';
    if (followed.has(name) || !FollowedRooms.isName(name)) {
      show(name);
    } else {
      follow(name).then((following) => following || show(name));
    }
  });

  // --- older messages: GET history as the reader scrolls up --------------------------------------

  function showOlder() {
    const log = logOf(room);
    const any = log.messageCount() > 0;
    olderButton.hidden = !any || log.more === false || log.loading;
    olderNote.hidden = !any || !(log.more === false || log.loading || log.failed);
    olderNote.textContent = log.loading ? 'Loading older messages…'
      : log.failed ? log.failed
        : 'This is the beginning of #' + room + '.';
  }

  async function loadOlder() {
    const name = room;
    const log = logOf(name);
    const before = log.oldestId();
    if (log.loading || log.more === false || !before) {
      return;
    }
    log.loading = true;
    log.failed = null;
    showOlder();
    let answer = null;
    try {
      const response = await fetch('history?room=' + encodeURIComponent(name) + '&before=' + encodeURIComponent(before)
        + '&limit=' + OLDER_PAGE);
      const body = await response.json().catch(() => ({}));
      if (response.ok && Array.isArray(body.messages)) {
        answer = body;
      } else {
        log.failed = 'Older messages could not be loaded (' + (body.error || 'the server answered ' + response.status) + ').';
        log.more = false;
      }
    } catch (e) {
      log.failed = 'Older messages could not be loaded: the server cannot be reached.';
    }
    log.loading = false;
    let added = 0;
    if (answer) {
      added = answer.messages.map((message) => log.addMessage(message)).filter((index) => index >= 0).length;
      log.more = Boolean(answer.more) && answer.messages.length > 0;
    }
    if (name !== room) {
      return;
    }
    // Above what the reader sees: its distance from the end is kept, so nothing the reader sees moves.
    const fromEnd = scroller.scrollHeight - scroller.scrollTop;
    if (added > 0) {
      list.setAttribute('aria-busy', 'true');
      list.replaceChildren(...log.items.map(render));
      list.removeAttribute('aria-busy');
    }
    showOlder();
    scroller.scrollTop = scroller.scrollHeight - fromEnd;
  }

  olderButton.addEventListener('click', loadOlder);

  // --- start ---------------------------------------------------------------------------------------

  async function start() {
    const asked = new URLSearchParams(location.search).get('room');
    const first = asked && FollowedRooms.isName(asked) ? asked : (followed.list()[0] || 'general');
    show(first);
    const wanted = followed.list().includes(first) ? followed.list() : followed.list().concat(first);
    await Promise.all([tabLockHeld, knowAccess(wanted)]);
    if (!followed.has(first) && readable(first)) {
      followed.add(first); // a room of the URL is followed; if the list is full it says so instead
    }
    joined = true;
    link.send(joinMessage());
    showRooms();
    showState();
    showComposer();
  }
  start();

  window.addEventListener('pagehide', () => link.send({ type: 'leave' }));
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      link.send(joinMessage()); // back from the back-forward cache, after the newest message of each room
    }
  });

  // The server's clock: its time at the start of the stream, ticking here.
  const clockElement = $('clock');
  function tick() {
    if (clockOffset !== null) {
      const now = new Date(Date.now() + clockOffset);
      clockElement.dateTime = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      clockElement.textContent = formatTime(now);
    }
    setTimeout(tick, 1000 - (Date.now() + (clockOffset || 0)) % 1000 + 5);
  }
  tick();

  jump.addEventListener('click', scrollToEnd);
  let lastScrollTop = 0;
  window.addEventListener('scroll', () => {
    if (nearBottom()) {
      jump.hidden = true;
    }
    // Only a reader going up asks for more: a room filling up moves the page down.
    const up = scroller.scrollTop < lastScrollTop;
    lastScrollTop = scroller.scrollTop;
    if (up && scroller.scrollTop < NEAR_TOP_PIXELS) {
      loadOlder();
    }
  }, { passive: true });

  // Enter sends; Shift+Enter starts a new line.
  textInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // --- sending: through the outbox, shown as "sending…" until the server accepted it ----------------

  async function postMessage(entry) {
    const response = await fetch('chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.key },
      body: entry.body,
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(POST_TIMEOUT_MILLIS) : undefined,
    });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body, retryAfter: response.headers.get('Retry-After') };
  }

  function sendingChanged(entry) {
    if (entry.state === 'sent' && entry.message && entry.message.id) {
      addMessage(entry.room, entry.message, false, true); // once, whether the stream brought it first or not
    } else if (entry.state === 'failed') {
      const here = entry.room === room;
      errorBox.textContent = (here ? '' : '#' + entry.room + ': ') + entry.error;
      if (here && textInput.value === '') {
        textInput.value = entry.text; // to mend and send again
      }
    }
    if (entry.room === room) {
      showPending();
    }
  }


  // The stream brought a message this tab is still sending (its answer was lost, or is slower):
  // it shows as the message, not twice. Who sent it and what it says tell; its id, when the
  // answer comes, makes sure.
  function adoptPending(name, message) {
    const entry = outbox.pending(name).find((pending) => !pending.shown && pending.text === message.text
      && (me ? message.userId === me.id : !message.userId && message.user === pending.user));
    if (entry) {
      entry.shown = true;
    }
    return Boolean(entry);
  }

  // The messages of the room shown that are on their way, after every message.
  function showPending() {
    const follow = nearBottom();
    pendingList.replaceChildren(...outbox.pending(room).filter((entry) => !entry.shown).map((entry) => {
      const element = document.createElement('li');
      element.className = 'message own pending';
      const who = document.createElement('span');
      who.className = 'user';
      who.textContent = entry.user;
      const state = document.createElement('span');
      state.className = 'sending';
      state.textContent = 'sending…';
      if (entry.failures > 0) {
        state.title = 'Not sent yet: tried ' + entry.tries + ' times, and again soon.';
      }
      const text = document.createElement('p');
      text.className = 'text';
      text.textContent = entry.text;
      element.append(who, state, text);
      return element;
    }));
    showIfEmpty();
    if (follow) {
      scrollToEnd();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    errorBox.textContent = '';
    const user = me ? me.name : userInput.value.trim(); // with a token the server takes the token's name
    saveName(user);
    outbox.add({ room, user, text: textInput.value });
    textInput.value = '';
    showPending();
    scrollToEnd();
    textInput.focus();
  });
})();
