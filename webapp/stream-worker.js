// The SharedWorker that holds the stream of every tab of this page in this browser: one
// EventSource for all the rooms they follow (see stream-hub.js). It lives while a tab does.
/* global StreamHub */
'use strict';

// The same version of the hub as the page that started this worker (see stream-link.js).
importScripts('stream-hub.js' + self.location.search);

const hub = new StreamHub();

self.addEventListener('connect', (event) => {
  const port = event.ports[0];
  port.addEventListener('message', (message) => hub.handle(port, message.data));
  port.start();
});

self.addEventListener('online', () => hub.retryNow());
