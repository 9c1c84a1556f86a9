// The rooms a person follows in this browser: a list in localStorage, shared by every tab of
// this deployment (the key carries its path), and kept in step between tabs by the `storage`
// event, which fires in every tab but the one that wrote.
/* exported FollowedRooms */
var FollowedRooms = (function () {
  'use strict';

  const NAME = /^[A-Za-z0-9_-]{1,64}$/; // the server's room names

  class FollowedRooms {
    // max: how many rooms one stream may carry; onChange(rooms): another tab changed the list.
    constructor(max, onChange) {
      this.max = max;
      this.key = 'sse-chat.rooms ' + new URL('.', location.href).pathname;
      this.rooms = this.read();
      window.addEventListener('storage', (event) => {
        if (event.key === this.key || event.key === null) {
          this.rooms = this.read();
          onChange(this.list());
        }
      });
    }

    read() {
      try {
        const stored = JSON.parse(localStorage.getItem(this.key) || '[]');
        return Array.isArray(stored) ? stored.filter((room) => typeof room === 'string' && NAME.test(room)) : [];
      } catch (e) {
        return []; // written by hand, or by something else: start again
      }
    }

    list() {
      return this.rooms.slice();
    }

    has(room) {
      return this.rooms.includes(room);
    }

    isFull() {
      return this.rooms.length >= this.max;
    }

    // 'added', 'known' (followed already) or 'full'.
    add(room) {
      this.rooms = this.read(); // another tab may have written since
      if (this.rooms.includes(room)) {
        return 'known';
      }
      if (this.rooms.length >= this.max) {
        return 'full';
      }
      this.rooms.push(room);
      this.write();
      return 'added';
    }

    remove(room) {
      this.rooms = this.read().filter((followed) => followed !== room);
      this.write();
    }

    write() {
      localStorage.setItem(this.key, JSON.stringify(this.rooms));
    }
  }

  FollowedRooms.isName = (room) => NAME.test(room);
  return FollowedRooms;
})();
