// Who is in a room and who is typing in it, in words: the line under the room's name
// ("3 here: you, Bob and 1 other") from the server's presence (GET presence, `event: presence`),
// and the line under the conversation ("Ann is typing…") from its `event: typing`, each shown
// for a few seconds after the last one and dropped at once when that person's message arrives.
// Also the rule a name given to the stream must pass (the server refuses the stream otherwise).
/* exported People */
var People = (function () {
  'use strict';

  const NAMES_SHOWN = 3; // more are counted, not named: the line stays one line
  const TYPING_SHOWN_MILLIS = 5000; // the server's typing events come at most every 2 s a person
  const MAX_NAME_LENGTH = 32; // the server's CHAT_MAX_USER_LENGTH by default
  const RESERVED_NAME = 'system'; // the name of messages other programs publish

  // 'Ann'; 'Ann and Bob'; 'Ann, Bob and Cy'.
  function and(words) {
    return words.length < 2 ? words.join('') : words.slice(0, -1).join(', ') + ' and ' + words[words.length - 1];
  }

  // presence: { people, members: [{ userId?, name }], unnamed, more, partial } as the server
  // says it; isSelf(member): whether a member is this reader. '' when nobody is known to be here.
  function presenceLine(presence, isSelf) {
    if (!presence || !(presence.people > 0)) {
      return '';
    }
    const members = presence.members || [];
    const self = members.some(isSelf);
    if (self && presence.people === 1) {
      return 'Only you here';
    }
    const names = (self ? ['you'] : []).concat(members.filter((member) => !isSelf(member)).map((member) => member.name));
    const shown = names.slice(0, NAMES_SHOWN);
    const rest = presence.people - shown.length; // the unnamed, and the named past the first few
    if (shown.length === 0) {
      return presence.people + ' here';
    }
    return presence.people + ' here: ' + and(rest > 0 ? shown.concat(rest + (rest === 1 ? ' other' : ' others')) : shown);
  }

  // Every named member, for the line's tooltip.
  function presenceNames(presence, isSelf) {
    const members = (presence && presence.members) || [];
    const names = members.map((member) => member.name + (isSelf(member) ? ' (you)' : ''));
    const unnamed = presence && presence.unnamed > 0 ? [presence.unnamed + ' without a name'] : [];
    const more = presence && presence.more ? ['more'] : [];
    return names.concat(unnamed, more).join(', ') + (presence && presence.partial ? ' (this server\'s readers only)' : '');
  }

  function typingLine(names) {
    if (names.length === 0) {
      return '';
    }
    if (names.length > 2) {
      return names.length + ' people are typing…';
    }
    return and(names) + (names.length === 1 ? ' is typing…' : ' are typing…');
  }

  // A person is their account where they have one, else the name they gave.
  const personOf = ({ user, userId }) => (userId ? 'id:' + userId : 'name:' + user);

  // Who is typing in each room, until when.
  class Typing {
    constructor() {
      this.rooms = new Map(); // room -> Map(person -> { name, until })
    }

    // event: { room, user, userId? }
    heard(event, now) {
      if (!this.rooms.has(event.room)) {
        this.rooms.set(event.room, new Map());
      }
      const typing = this.rooms.get(event.room);
      typing.delete(personOf(event)); // the latest at the end
      typing.set(personOf(event), { name: event.user, until: now + TYPING_SHOWN_MILLIS });
    }

    // A message of theirs arrived: they are done typing it.
    stopped(room, message) {
      const typing = this.rooms.get(room);
      return Boolean(typing) && typing.delete(personOf(message));
    }

    // Who is typing in a room now, the longest typing first.
    names(room, now) {
      const typing = this.rooms.get(room);
      if (!typing) {
        return [];
      }
      for (const [person, entry] of typing) {
        if (entry.until <= now) {
          typing.delete(person);
        }
      }
      return Array.from(typing.values(), (entry) => entry.name);
    }

    // When the next one stops showing, in any room (those past it are forgotten); null when
    // nobody is typing.
    nextChange(now) {
      let next = null;
      for (const typing of this.rooms.values()) {
        for (const [person, entry] of typing) {
          if (entry.until <= now) {
            typing.delete(person);
          } else {
            next = next === null ? entry.until : Math.min(next, entry.until);
          }
        }
      }
      return next;
    }
  }

  // What the server accepts as a posted name (MessageValidator), so a stream opened with it is
  // not refused: trimmed, 1 to 32 characters, no control or invisible format characters, not "system".
  function isName(name) {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    return trimmed.length > 0 && Array.from(trimmed).length <= MAX_NAME_LENGTH
      && !/[\p{Cc}\p{Cf}\p{Cs}]/u.test(trimmed) && trimmed.toLowerCase() !== RESERVED_NAME;
  }

  return { presenceLine, presenceNames, typingLine, Typing, isName, TYPING_SHOWN_MILLIS };
})();
