// Who is here and who is typing, in words (webapp/people.js). Run: node --test src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const context = vm.createContext({});
vm.runInContext(readFileSync(new URL('../../../webapp/people.js', import.meta.url), 'utf8') + '\nthis.People = People;', context);
const { People } = context;
const nobody = () => false;
const named = (...names) => names.map((name) => ({ name }));

test('the presence line names the first few, counts the rest, and says "you" for the reader', () => {
  const line = (presence, isSelf = nobody) => People.presenceLine(presence, isSelf);
  assert.equal(line(null), '', 'not known yet');
  assert.equal(line({ people: 0, members: [], unnamed: 0 }), '');
  assert.equal(line({ people: 1, members: named('Ann'), unnamed: 0 }), '1 here: Ann');
  assert.equal(line({ people: 2, members: named('Ann', 'Bob'), unnamed: 0 }), '2 here: Ann and Bob');
  assert.equal(line({ people: 3, members: named('Ann', 'Bob'), unnamed: 1 }), '3 here: Ann, Bob and 1 other');
  assert.equal(line({ people: 6, members: named('Ann', 'Bob', 'Cy', 'Dee'), unnamed: 2 }), '6 here: Ann, Bob, Cy and 3 others');
  assert.equal(line({ people: 2, members: [], unnamed: 2 }), '2 here', 'nobody to name');
  assert.equal(line({ people: 150, members: named(...Array.from({ length: 100 }, (_, i) => 'p' + i)), unnamed: 0, more: true }),
    '150 here: p0, p1, p2 and 147 others', 'the members past the server\'s 100 are counted too');
  const ann = (member) => member.name === 'Ann' && !member.userId;
  assert.equal(line({ people: 2, members: named('Ann', 'Bob'), unnamed: 0 }, ann), '2 here: you and Bob');
  assert.equal(line({ people: 1, members: named('Ann'), unnamed: 0 }, ann), 'Only you here');
  assert.equal(line({ people: 3, members: [{ name: 'Bob' }, { name: 'Zed', userId: 'z' }], unnamed: 1 },
    (member) => member.userId === 'z'), '3 here: you, Bob and 1 other', 'a signed-in reader by their account');
});

test('the tooltip names every member, the unnamed and whether the count is this server\'s only', () => {
  assert.equal(People.presenceNames({ people: 3, members: named('Ann', 'Bob'), unnamed: 1, partial: true },
    (member) => member.name === 'Bob'), 'Ann, Bob (you), 1 without a name (this server\'s readers only)');
});

test('the typing line: one, two, or how many', () => {
  assert.equal(People.typingLine([]), '');
  assert.equal(People.typingLine(['Ann']), 'Ann is typing…');
  assert.equal(People.typingLine(['Ann', 'Bob']), 'Ann and Bob are typing…');
  assert.equal(People.typingLine(['Ann', 'Bob', 'Cy']), '3 people are typing…');
});

test('someone typing shows for 5 s after their last typing event, in their room only', () => {
  const typing = new People.Typing();
  typing.heard({ room: 'lobby', user: 'Ann' }, 0);
  typing.heard({ room: 'dev', user: 'Bob' }, 1000);
  assert.deepEqual(Array.from(typing.names('lobby', 1000)), ['Ann']);
  assert.equal(typing.nextChange(1000), 5000);
  typing.heard({ room: 'lobby', user: 'Ann' }, 4000); // still typing
  assert.deepEqual(Array.from(typing.names('lobby', 8999)), ['Ann']);
  assert.deepEqual(Array.from(typing.names('lobby', 9000)), []);
  assert.deepEqual(Array.from(typing.names('dev', 5999)), ['Bob']);
  assert.deepEqual(Array.from(typing.names('dev', 6000)), []);
  assert.equal(typing.nextChange(6000), null);
  typing.heard({ room: 'dev', user: 'Bob' }, 10000);
  typing.heard({ room: 'ops', user: 'Cy' }, 12000);
  assert.equal(typing.nextChange(15001), 17000, 'a room nobody shows forgets its typists too');
});

test('a person\'s message ends their typing at once; a person is their account, else their name', () => {
  const typing = new People.Typing();
  typing.heard({ room: 'r', user: 'Ann', userId: 'ann-1' }, 0);
  typing.heard({ room: 'r', user: 'Ann' }, 0); // someone else, anonymous, with the same name
  typing.heard({ room: 'r', user: 'Bob' }, 0);
  assert.equal(typing.stopped('r', { user: 'Ann', userId: 'ann-1', text: 'hi' }), true);
  assert.deepEqual(Array.from(typing.names('r', 1)), ['Ann', 'Bob'], 'the anonymous Ann still types');
  typing.stopped('r', { user: 'Bob', text: 'yo' });
  assert.deepEqual(Array.from(typing.names('r', 1)), ['Ann']);
  assert.equal(typing.stopped('elsewhere', { user: 'Ann' }), false);
});

test('a name for the stream is what the server accepts as a sender', () => {
  for (const good of ['Ann', ' Bob ', 'Zoë', '😀', 'x'.repeat(32), 'systems']) {
    assert.ok(People.isName(good), good);
  }
  for (const bad of ['', '   ', 'x'.repeat(33), 'System', 'a\u0007b', 'a\u202Eb', 'zero\u200Bwidth', '\uD800', null, undefined]) {
    assert.ok(!People.isName(bad), JSON.stringify(bad));
  }
});
