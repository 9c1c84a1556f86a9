// What a tab holds of one room: its messages in the room's order (by id, whatever order they
// arrived in: the stream, a catch-up, older pages from GET history), each once, with the notices
// the page put between them, and whether older messages remain to be loaded. A message this tab
// sent may first be known from its POST's answer: it is shown at once, but the room's position
// (where a stream resumes) moves past it only once a stream or the history brought it, or the
// messages others posted just before it would be skipped.
/* exported RoomLog */
var RoomLog = (function () {
  'use strict';

  // Ids are <millis>-<sequence>, each part an unsigned whole number of any size: compared as
  // numbers, by length first, then digit by digit.
  function compareParts(a, b) {
    return a.length !== b.length ? a.length - b.length : (a < b ? -1 : a > b ? 1 : 0);
  }

  function compareIds(a, b) {
    const [am, as] = a.split('-');
    const [bm, bs] = b.split('-');
    return compareParts(am, bm) || compareParts(as || '0', bs || '0');
  }

  // An item's place: a message's id; a notice stands after the message that was newest when it
  // was said, after the notices said there before it.
  function compareItems(a, b) {
    return compareIds(a.at, b.at) || a.rank - b.rank || a.order - b.order;
  }

  let said = 0;

  class RoomLog {
    constructor(room) {
      this.room = room;
      this.items = []; // { kind: 'message' | 'notice', at, rank, order, message | text }
      this.ids = new Set();
      this.unconfirmed = new Set(); // ids known from a POST's answer only
      this.unread = 0;
      this.more = null; // older messages in the room's history: null until GET history says
      this.loading = false;
    }

    // Where the message went (its index in items), or -1 if it was there already. fromAnswer: it
    // comes from the answer to this tab's POST, not from a stream or the history.
    addMessage(message, fromAnswer) {
      if (!message.id) {
        return this.insert({ kind: 'message', at: this.newestId() || '0-0', rank: 1, order: ++said, message });
      }
      if (this.ids.has(message.id)) {
        if (!fromAnswer) {
          this.unconfirmed.delete(message.id);
        }
        return -1;
      }
      this.ids.add(message.id);
      if (fromAnswer) {
        this.unconfirmed.add(message.id);
      }
      return this.insert({ kind: 'message', at: message.id, rank: 0, order: 0, message });
    }

    addNotice(text) {
      return this.insert({ kind: 'notice', at: this.newestId() || '0-0', rank: 1, order: ++said, text });
    }

    insert(item) {
      let low = 0;
      let high = this.items.length;
      while (low < high) { // the first item after the new one
        const middle = (low + high) >> 1;
        if (compareItems(this.items[middle], item) <= 0) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      this.items.splice(low, 0, item);
      return low;
    }

    messageCount() {
      return this.ids.size;
    }

    oldestId() {
      const first = this.items.find((item) => item.kind === 'message' && item.message.id);
      return first ? first.message.id : null;
    }

    // The newest message a stream or the history brought: where this room resumes.
    newestId() {
      for (let i = this.items.length - 1; i >= 0; i--) {
        const item = this.items[i];
        if (item.kind === 'message' && item.message.id && !this.unconfirmed.has(item.message.id)) {
          return item.message.id;
        }
      }
      return null;
    }

    // Keeps the newest `keep` items of a room nobody reads now; older ones can be loaded again.
    trim(keep) {
      if (this.items.length <= keep) {
        return;
      }
      for (const item of this.items.splice(0, this.items.length - keep)) {
        if (item.kind === 'message') {
          this.ids.delete(item.message.id);
          this.unconfirmed.delete(item.message.id);
        }
      }
      this.more = null;
    }
  }

  RoomLog.compareIds = compareIds;
  return RoomLog;
})();
