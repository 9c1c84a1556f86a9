// The sse-chat page: the messages of a room, from a stream shared by all tabs of this browser
// (stream-hub.js), and a form that POSTs to "chat". Every URL is relative, so the page works
// under any context path, and every text from the network is set with textContent, never as HTML.
/* global openStreamLink */
(function () {
  'use strict';

  const NAME_KEY = 'sse-chat.user';

  const room = new URLSearchParams(location.search).get('room') || 'general';
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
  const seen = new Set(); // ids shown, so nothing is shown twice whatever the network does
  // One format for every time on the page: the clock's and the messages'.
  const timeFormat = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const formatTime = (date) => timeFormat.format(date);
  let newestShown = null; // the id the streams resume after, whoever holds them
  let me = null; // who the server says a token makes this reader ({id, name}), or null
  let clockOffset = null; // the server's clock minus this one's, from the stream's time event
  let mayPost = true; // what GET me says; the empty room's hint invites only those who may

  $('room-name').textContent = '#' + room;
  $('room').value = room;
  document.title = '#' + room + ' · sse-chat';
  userInput.value = localStorage.getItem(NAME_KEY) || '';

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
    showIfEmpty();
  }

  // "No messages yet": said only while the stream is live, so the room's history has been asked
  // for, and no message is shown. Whatever changes either (a message, a dropped stream, a tab back
  // from the back-forward cache) calls this, so the hint never outlives what it says.
  function showIfEmpty() {
    emptyHint.textContent = 'No messages yet in #' + room + '.' + (mayPost ? ' Say hello!' : '');
    emptyHint.hidden = status.dataset.state !== 'live' || list.querySelector('.message') !== null;
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
    jump.hidden = true;
  }

  // Appends a line; follows the conversation only if the reader was at the end already.
  function append(item) {
    const follow = nearBottom();
    list.append(item);
    showIfEmpty();
    if (follow) {
      scrollToEnd();
    } else {
      jump.hidden = false;
    }
  }

  function showMessage(message) {
    if (message.id) {
      if (seen.has(message.id)) {
        return;
      }
      seen.add(message.id);
      newestShown = message.id;
    }
    const item = document.createElement('li');
    item.className = 'message';
    if (me ? message.userId === me.id : !message.userId && message.user === userInput.value.trim()) {
      item.classList.add('own');
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
    item.append(who, when, text);
    append(item);
  }

  function showNotice(text) {
    const item = document.createElement('li');
    item.className = 'notice';
    item.textContent = text;
    append(item);
  }

    // --- the stream: one for all tabs of this browser (see stream-hub.js) ---------------------

  // A tab id, and a lock held while the tab lives: whoever holds the streams learns from it
  // when the tab is gone, even if it crashed. Web Locks exist in secure contexts only (HTTPS,
  // localhost); without them tabs say they live instead (see stream-link.js).
  const tabId = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const locks = window.isSecureContext && navigator.locks ? navigator.locks : null;
  const tabLock = locks ? 'sse-chat-tab-' + tabId : null;
  const tabLockHeld = locks
    ? new Promise((held) => locks.request(tabLock, () => { held(); return new Promise(() => {}); }))
    : Promise.resolve();
  const navigation = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
  const multiplexed = Boolean(navigation && /^h[23]/.test(navigation.nextHopProtocol || ''));

  function joinMessage() {
    return { type: 'join', room: room, lastEventId: newestShown, multiplexed: multiplexed, tabLock: tabLock };
  }

  const link = openStreamLink({
    tabId: tabId,
    locks: locks,
    joinMessage: joinMessage,
    onEvent: (event) => {
      if (event.room !== undefined && event.room !== room) {
        return;
      }
      switch (event.type) {
        case 'messages':
          event.messages.forEach(showMessage);
          break;
        case 'message':
          showMessage(event.message);
          break;
        case 'reset':
          showNotice('Some earlier messages may be missing.');
          break;
        case 'expired':
          checkAccess(); // the stream comes back by itself if the backend refreshed the token
          break;
        case 'state':
          showState(event);
          break;
        case 'clock':
          clockOffset = event.offset;
          break;
      }
    },
  });
  document.documentElement.dataset.transport = link.kind;

  // --- who the reader is, where tokens are in use ----------------------------------------------

  const identity = $('identity');
  const composer = form.querySelectorAll('input, textarea, button');

  function allowPosting(allowed, why) {
    mayPost = allowed;
    showIfEmpty();
    composer.forEach((control) => { control.disabled = !allowed; });
    identity.hidden = !why && !me;
    identity.textContent = why || (me ? 'Posting as ' + me.name : '');
  }

  // GET me: an HttpOnly token cookie is the server's to read. Without tokens (or when the server
  // cannot be reached) the page works as it always did.
  async function checkAccess() {
    let answer;
    try {
      const response = await fetch('me?room=' + encodeURIComponent(room));
      answer = { status: response.status, body: await response.json() };
    } catch (e) {
      return true;
    }
    if (answer.status === 401 || (answer.status === 200 && !answer.body.canRead)) {
      const why = answer.status === 401 // a token was sent but is not accepted (expired, say)
        ? 'This room needs you to sign in (' + (answer.body.error || 'your sign-in is not valid') + ').'
        : answer.body.user ? 'Your account may not read this room.' : 'This room needs you to sign in.';
      if (joined) {
        link.send({ type: 'leave' }); // no stream to keep trying (a token that expired, say)
        joined = false;
      }
      setStatus('offline', 'not allowed in');
      showNotice(why);
      allowPosting(false, why);
      return false;
    }
    if (answer.status !== 200) {
      return true;
    }
    me = answer.body.user ? { id: answer.body.user.id, name: answer.body.user.name } : null;
    form.classList.toggle('identified', me !== null);
    userInput.required = me === null;
    allowPosting(answer.body.canPost, answer.body.canPost ? null : 'You may read this room but not post to it.');
    return true;
  }

  let joined = false;
  Promise.all([tabLockHeld, checkAccess()]).then(([, allowed]) => {
    if (allowed) {
      link.send(joinMessage());
      joined = true;
    }
  });
  window.addEventListener('pagehide', () => link.send({ type: 'leave' }));
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      link.send(joinMessage()); // back from the back-forward cache
    }
  });

  // --- what the page shows of it -----------------------------------------------------------

  let stateTimer = null;

  function showState(state) {
    clearInterval(stateTimer);
    stateTimer = null;
    status.title = state.reason || '';
    if (state.state === 'live') {
      setStatus('live', 'live');
    } else if (state.state === 'waiting') {
      setStatus('offline', 'waiting: this browser follows ' + state.limit + ' rooms already; close a tab of another room');
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
  window.addEventListener('scroll', () => {
    if (nearBottom()) {
      jump.hidden = true;
    }
  });

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
