// A tab's link to the one stream it shares with the other tabs of this browser (stream-hub.js):
//   - a SharedWorker (stream-worker.js) that holds it; if it fails to load or never answers,
//   - the tab that holds the Web Lock of this deployment leads: it holds the stream and relays
//     it to the others over a BroadcastChannel, and the next tab takes over when it closes;
//   - failing both (no Web Locks: plain HTTP is not a secure context), this tab holds its own.
// Lock and channel names carry the page's path: two deployments on one origin share nothing.
/* global StreamHub */
/* exported openStreamLink */
var openStreamLink = (function () {
  'use strict';

  // Bumped when what tabs and the hub say to each other changes: a page of a new deployment must
  // not talk to a SharedWorker of the old one, which lives while any tab of it does.
  const PROTOCOL = 5;
  const WORKER_ANSWER_MILLIS = 5000; // the hub answers a join at once; silence means there is none
  const ALIVE_MILLIS = 20000; // without Web Locks, tabs say they live this often

  // tabId: who this tab is; locks: navigator.locks, or null; onEvent(message): what the hub sends this tab;
  // joinMessage(): the join to send now (the rooms the tab follows, the newest message of each).
  return function openStreamLink({ tabId, locks, onEvent, joinMessage }) {
    const scope = new URL('.', location.href).pathname;
    const link = { kind: null, send: null, hub: null };

    function useWorker() {
      const worker = new SharedWorker('stream-worker.js?v=' + PROTOCOL, { name: 'sse-chat ' + scope + ' v' + PROTOCOL });
      let heard = false;
      worker.port.addEventListener('message', (event) => {
        heard = true;
        onEvent(event.data);
      });
      worker.port.start();
      link.kind = 'shared-worker';
      let timer = null;
      link.send = (message) => {
        worker.port.postMessage(message);
        if (message.type === 'join' && timer === null) {
          timer = setTimeout(fallBack, WORKER_ANSWER_MILLIS);
        }
      };
      // Not loaded (404, a policy): an error here. Loaded but broken: nothing reaches the page,
      // but the join goes unanswered.
      const fallBack = () => {
        if (heard || link.kind !== 'shared-worker') {
          return;
        }
        worker.port.close();
        useLeaderOrOwn();
        document.documentElement.dataset.transport = link.kind;
        link.send(joinMessage());
      };
      worker.addEventListener('error', fallBack);
    }

    function useLeaderOrOwn() {
      const ownPort = { postMessage: onEvent };
      if (!locks || typeof BroadcastChannel !== 'function') {
        link.hub = new StreamHub();
        link.kind = 'own';
        link.send = (message) => link.hub.handle(ownPort, message);
        return;
      }
      const channel = new BroadcastChannel('sse-chat ' + scope);
      const followers = new Map();
      let joined = false;
      const follower = (id) => {
        if (!followers.has(id)) {
          followers.set(id, { postMessage: (message) => channel.postMessage({ to: id, body: message }) });
        }
        return followers.get(id);
      };
      link.kind = 'follower';
      link.send = (message) => {
        joined = joined || message.type === 'join';
        if (link.hub) {
          link.hub.handle(ownPort, message);
        } else {
          channel.postMessage({ from: tabId, body: message });
        }
      };
      channel.addEventListener('message', (event) => {
        const data = event.data;
        if (data.to === tabId) {
          onEvent(data.body);
        } else if (link.hub && data.from) {
          if (data.body.type === 'leave') {
            followers.delete(data.from);
          }
          link.hub.handle(follower(data.from), data.body);
        } else if (!link.hub && data.leader && joined) {
          link.send(joinMessage()); // a new leader: join again, after the newest message shown
        }
      });
      locks.request('sse-chat-leader ' + scope, () => {
        link.hub = new StreamHub();
        link.kind = 'leader';
        document.documentElement.dataset.transport = 'leader';
        if (joined) {
          link.hub.handle(ownPort, joinMessage());
        }
        channel.postMessage({ leader: tabId });
        return new Promise(() => {}); // led for as long as this tab lives
      });
    }

    let worked = false;
    if (typeof SharedWorker === 'function') {
      try {
        useWorker();
        worked = true;
      } catch (e) {
        // refused at once (a sandboxed frame): lead, follow or go alone
      }
    }
    if (!worked) {
      useLeaderOrOwn();
    }

    // Without Web Locks nobody learns that a tab crashed: it says it lives, and the hub drops
    // tabs that went quiet (see StreamHub.watchQuietTabs).
    if (!locks) {
      setInterval(() => link.send({ type: 'alive' }), ALIVE_MILLIS);
    }
    // Back online: a backoff would only keep the reader offline longer (the worker hears it itself).
    window.addEventListener('online', () => {
      if (link.hub) {
        link.hub.retryNow();
      }
    });
    return link;
  };
})();
