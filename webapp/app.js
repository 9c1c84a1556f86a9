// sse-chat page: one EventSource for the room, one for the clock, a form that POSTs to chat.
// Every URL is relative, so the page works under any context path.
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const room = params.get('room') || 'general';
  const list = document.getElementById('messages');
  const status = document.getElementById('status');
  const form = document.getElementById('send');
  const userInput = document.getElementById('user');
  const textInput = document.getElementById('text');
  const errorBox = document.getElementById('error');

  userInput.value = localStorage.getItem('sse-chat.user') || '';

  function showStatus(text, state) {
    status.textContent = text;
    status.dataset.state = state;
  }

  // Network text is only ever set as textContent, never as HTML.
  function addMessage(message) {
    const item = document.createElement('li');
    const user = document.createElement('strong');
    user.textContent = message.user;
    const time = document.createElement('time');
    time.dateTime = message.time;
    time.textContent = new Date(message.time).toLocaleTimeString();
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = message.text;
    item.append(user, ' ', time, ' ', text);
    list.append(item);
    item.scrollIntoView({ block: 'end' });
  }

  const stream = new EventSource('sse?room=' + encodeURIComponent(room));
  stream.addEventListener('open', () => showStatus('live', 'live'));
  stream.addEventListener('error', () => showStatus(
    stream.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting…',
    stream.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting'));
  stream.addEventListener('message', (event) => addMessage(JSON.parse(event.data)));

  const clock = new EventSource('time');
  clock.onmessage = (event) => {
    document.getElementById('clock').textContent = new Date(event.data).toLocaleTimeString();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.textContent = '';
    localStorage.setItem('sse-chat.user', userInput.value);
    try {
      const response = await fetch('chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: userInput.value, text: textInput.value, room: room }),
      });
      if (response.ok) {
        textInput.value = '';
      } else {
        const body = await response.json().catch(() => ({}));
        errorBox.textContent = body.error || ('The server answered ' + response.status);
      }
    } catch (e) {
      errorBox.textContent = 'Could not reach the server.';
    }
    textInput.focus();
  });
})();
