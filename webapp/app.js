// The sse-chat page: the rooms a person follows (followed-rooms.js), all on one stream shared by
// every tab of this browser (stream-hub.js), one of them shown, older messages loaded from
// GET history as the reader scrolls up, and a form that POSTs to "chat". Every URL is relative,
// so the page works under any context path, and every text from the network is set with
// textContent, never as HTML.
/* global openStreamLink, StreamHub, RoomLog, FollowedRooms */
(function () {
  'use strict';

  const NAME_KEY = 'sse-chat.user';
  const OLDER_PAGE = 50; // messages a GET history asks for
  const NEAR_TOP_PIXELS = 80; // scrolled this close to the top, the next older page is loaded
  const KEEP_UNREAD_ROOM_ITEMS = 300; // what a room nobody reads in this tab keeps of its messages

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

  userInput.value = localStorage.getItem(NAME_KEY) || '';

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
    return { type: 'join', rooms, lastEventIds, tabLock };
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
        case 'state':
          streamState = event;
          showState();
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

  function addMessage(name, message, live) {
    const log = logOf(name);
    const index = log.addMessage(message);
    if (index < 0) {
      return; // shown already, whatever the network did
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
    emptyHint.hidden = log.messageCount() > 0 || !(blocked || (access.has(room) && !followed.has(room)) || live);
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
    showRooms();
    showState();
    showComposer();
    scrollToEnd();
  }

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

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.textContent = '';
    const user = me ? me.name : userInput.value.trim(); // with a token the server takes the token's name
    if (!me) {
      localStorage.setItem(NAME_KEY, user);
    }
    try {
      const response = await fetch('chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: user, text: textInput.value, room: room }),
      });
      if (response.ok) {
        textInput.value = '';
        scrollToEnd();
      } else {
        const body = await response.json().catch(() => ({}));
        errorBox.textContent = body.error || ('The server answered ' + response.status + '.');
      }
    } catch (e) {
      errorBox.textContent = 'Could not reach the server. Your message was not sent.';
    }
    textInput.focus();
  });
})();
