// The sse-chat page. One EventSource for the room, one for the clock, a form that POSTs to
// "chat". Every URL is relative, so the page works under any context path, and every text from
// the network is set with textContent, never as HTML.
(function () {
  'use strict';

  const HISTORY_ON_FIRST_LOAD = 50;
  const NAME_KEY = 'sse-chat.user';

  const room = new URLSearchParams(location.search).get('room') || 'general';
  const $ = (id) => document.getElementById(id);
  const list = $('messages');
  const scroller = $('scroller');
  const jump = $('jump');
  const status = $('status');
  const form = $('send');
  const userInput = $('user');
  const textInput = $('text');
  const errorBox = $('error');
  const seen = new Set(); // ids shown, so nothing is shown twice whatever the network does

  $('room-name').textContent = '#' + room;
  $('room').value = room;
  document.title = '#' + room + ' · sse-chat';
  userInput.value = localStorage.getItem(NAME_KEY) || '';

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
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
    }
    const item = document.createElement('li');
    item.className = 'message';
    if (message.user === userInput.value.trim()) {
      item.classList.add('own');
    }
    const who = document.createElement('span');
    who.className = 'user';
    who.textContent = message.user;
    const when = document.createElement('time');
    when.dateTime = message.time;
    when.textContent = new Date(message.time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
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

  // EventSource reconnects by itself and sends Last-Event-ID, which the server prefers over
  // history=N: the first load shows recent messages, a reconnect continues where it stopped.
  const stream = new EventSource('sse?room=' + encodeURIComponent(room) + '&history=' + HISTORY_ON_FIRST_LOAD);
  stream.addEventListener('open', () => setStatus('live', 'live'));
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED) {
      setStatus('offline', 'offline');
    } else {
      setStatus('reconnecting', 'reconnecting…');
    }
  });
  stream.addEventListener('message', (event) => showMessage(JSON.parse(event.data)));
  stream.addEventListener('reset', () => showNotice('Some earlier messages may be missing.'));

  const clock = new EventSource('time');
  clock.addEventListener('message', (event) => {
    const now = new Date(event.data);
    const element = $('clock');
    element.dateTime = event.data;
    element.textContent = now.toLocaleTimeString();
  });

  jump.addEventListener('click', scrollToEnd);
  scroller.addEventListener('scroll', () => {
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
    const user = userInput.value.trim();
    localStorage.setItem(NAME_KEY, user);
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
