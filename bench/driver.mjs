// sse-chat load driver: one Node process, non-blocking sockets (no thread per client).
// Opens N event streams, publishes M numbered, timestamped messages at a set rate, and reports
// deliveries, latency from publish to receipt, and the server's RSS and CPU (read from /proc:
// the server runs on this machine; the process given by --pid and all its descendants are
// counted, so nginx's master and workers together). Prints one JSON object.
//
//   --target sse-chat (default): streams GET /sse?room=bench, publishes POST /chat {"user","text","room"}
//   --target nchan: streams GET /sub (Nchan's EventSource subscriber), publishes POST /pub
//                   {"user","text"}: Nchan sends the published body as the event's data, so the
//                   same byte scanner finds `"text":"<seq> ` in both.
//   --stream-path, --publish-path override the target's paths.
//   --wave: after the steady window, every stream closes at once, N new ones connect, and a
//           second window is measured at once, without warm-up. The report is that window's,
//           with the steady one under "steady" and wave p99 / steady p99.
//   --cold: no warm-up and no pause: the window opens as soon as the streams are connected.
//   --http11: streams ask over HTTP/1.1, as browsers do (the answer is chunked), instead of
//           HTTP/1.0 (the answer is the bytes as they come, as nginx proxies by default).
//   --rooms-total T --rooms-per-client P: many rooms on one stream. Rooms r1..rT; client i
//           follows the P rooms from (i * P) mod T on (wrapping), so every room has
//           clients * P / T followers (give or take one), on ONE stream: sse-chat
//           GET /sse?room=r1&room=r2..., Nchan GET /sub/r1,r2,... (its multiplexed channels).
//           Message n goes to room n mod T (POST /chat {"user","room","text"}; Nchan POST /pub/rK
//           with the same body), --rate stays messages per second across all rooms. The room of a
//           delivery is the room its number was published to: each is checked per (client,
//           room), once and in order; a delivery to a client not following its room is
//           "misrouted", and the JSON's "room" ahead of "text" is compared to it ("roomLabels").
//   --step-rates R1,R2,...: the highest rate one room sustains. After the warm-up (at R1), one
//           window of --seconds per rate, ascending, on the same open streams, 1 s apart. A step
//           holds when every expected delivery arrived, no stream ended early, and p99 is under
//           --step-p99-ms (default 250); the first that does not hold is the last measured. The
//           report is the last window's, with every step under "steps" and "highestSustainedRate".
//
// A stream that is refused (a status other than 200, or `event: refused` in its first bytes,
// which is how sse-chat turns away a stream over its per-address cap), that ends before the end
// of the run, or that cannot connect is counted under "refused", not fatal.
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const arg = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const flag = (name) => process.argv.includes('--' + name);
const host = '127.0.0.1';
const port = Number(arg('port', 8080));
const target = arg('target', 'sse-chat');
if (target !== 'sse-chat' && target !== 'nchan') throw new Error('--target sse-chat|nchan');
const room = 'bench';
// Many rooms on one stream (0: the one room "bench", as before).
const roomsTotal = Number(arg('rooms-total', 0));
const roomsPerClient = Number(arg('rooms-per-client', roomsTotal ? 1 : 0));
const manyRooms = roomsTotal > 0;
if (manyRooms && !(roomsPerClient >= 1 && roomsPerClient <= roomsTotal)) throw new Error('--rooms-per-client: 1 to --rooms-total');
if (!manyRooms && arg('rooms-per-client', null) !== null) throw new Error('--rooms-per-client needs --rooms-total');
const roomName = (r) => `r${r + 1}`;
const firstRoomOf = (index) => (index * roomsPerClient) % roomsTotal; // then the next P-1, wrapping
const roomsOf = (index) => Array.from({ length: roomsPerClient }, (_, k) => (firstRoomOf(index) + k) % roomsTotal);
const roomOfSeq = (seq) => ((seq % roomsTotal) + roomsTotal) % roomsTotal; // warm-up's are negative
const streamPathOf = (index) => {
  if (!manyRooms) return streamPath;
  const names = roomsOf(index).map(roomName);
  return target === 'nchan' ? `/sub/${names.join(',')}` : `/sse?${names.map((n) => 'room=' + n).join('&')}`;
};
const streamPath = arg('stream-path', target === 'nchan' ? '/sub' : `/sse?room=${room}`);
const publishPath = arg('publish-path', target === 'nchan' ? '/pub' : '/chat');
const clients = Number(arg('clients', 1000));
const rate = Number(arg('rate', 20));            // messages per second
const seconds = Number(arg('seconds', 10));
const size = Number(arg('size', 100));           // bytes of text per message
const slow = Number(arg('slow', 0));             // clients that stop reading
const cold = flag('cold');
const wave = flag('wave');
const httpVersion = flag('http11') ? 'HTTP/1.1' : 'HTTP/1.0';
const warmup = cold ? 0 : Number(arg('warmup', 10)); // seconds of publishing at the rate before measuring
const serverPid = Number(arg('pid', 0));
// With a JDK's jcmd, the Java heap the streams hold: used heap after a full collection, before
// and after connecting (the JVM's RSS also counts heap it merely reserved).
const jcmd = arg('jcmd', null);
const join = process.argv.includes('--join');
const churn = Number(arg('churn', 0)); // streams that leave and come back every second of the warm-up
let churnNext = 0;
const warmWave = process.argv.includes('--warm-wave'); // one wave inside the warm-up
let warmedUp = 0;
const connectRate = Number(arg('connect-rate', 0)); // streams per second while connecting (0: as fast as the server takes them)
const stepRates = arg('step-rates', null)?.split(',').map(Number) ?? null; // messages per second, ascending
if (stepRates && !stepRates.every((r, k) => r > 0 && (k === 0 || r > stepRates[k - 1]))) throw new Error('--step-rates: rates above 0, ascending');
if (stepRates && (wave || arg('rate', null) !== null)) throw new Error('--step-rates goes with neither --wave nor --rate');
const STEP_P99_LIMIT_MS = 250; // a step whose p99 reaches it does not hold
const stepP99Limit = Number(arg('step-p99-ms', STEP_P99_LIMIT_MS));
if (!(stepP99Limit > 0)) throw new Error('--step-p99-ms: milliseconds above 0');
if (!stepRates && arg('step-p99-ms', null) !== null) throw new Error('--step-p99-ms needs --step-rates');
const DRIVER_BOUND_PERCENT = 85;                 // of one core, during the measured window
const now = () => performance.timeOrigin + performance.now();

// Bind the driver's sockets to several loopback addresses: about 28,000 ports exist per address.
const sources = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

// The server's processes: the given one and its descendants (nginx: master and workers).
function processTree(root) {
  const children = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  const tree = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    tree.push(pid);
    stack.push(...(children.get(pid) || []));
  }
  return tree;
}
let serverPids = serverPid ? processTree(serverPid) : [];
const readOr = (path, fallback) => { try { return fs.readFileSync(path, 'utf8'); } catch { return fallback; } };
function rssKb() {
  let kb = 0;
  for (const pid of serverPids) kb += Number(/VmRSS:\s+(\d+)/.exec(readOr(`/proc/${pid}/status`, 'VmRSS: 0'))?.[1] ?? 0);
  return kb;
}
function heapUsedKb() {
  if (!jcmd || !serverPid) return null;
  try {
    execFileSync(jcmd, [String(serverPid), 'GC.run'], { stdio: 'ignore' });
    const info = execFileSync(jcmd, [String(serverPid), 'GC.heap_info'], { encoding: 'utf8' });
    // G1 and Parallel: "garbage-first heap   total 524288K, used 12345K"; ZGC: "ZHeap used 123M, capacity ..."
    const g1 = /heap\s+total \d+K, used (\d+)K/.exec(info);
    if (g1) return Number(g1[1]);
    const z = /used (\d+)M/.exec(info);
    return z ? Number(z[1]) * 1024 : null;
  } catch {
    return null;
  }
}
function pssKb() { // shared pages counted once across the processes
  let kb = 0;
  for (const pid of serverPids) kb += Number(/Pss:\s+(\d+)/.exec(readOr(`/proc/${pid}/smaps_rollup`, 'Pss: 0'))?.[1] ?? 0);
  return kb;
}
function cpuTicks() { // utime, stime of every server process, in 1/100 s
  const sum = { user: 0, system: 0 };
  for (const pid of serverPids) {
    const stat = readOr(`/proc/${pid}/stat`, null);
    if (stat === null) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    sum.user += Number(fields[11]);
    sum.system += Number(fields[12]);
  }
  return sum;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// The whole machine's busy time (every CPU, in 1/100 s): what is neither the server nor the
// driver is someone else's load (a build, a test run), which makes the run worth nothing.
function machineBusyTicks() {
  const f = readOr('/proc/stat', 'cpu 0').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return f[0] + f[1] + f[2] + (f[5] || 0) + (f[6] || 0) + (f[7] || 0); // user nice system irq softirq steal
}
const BUSY_MACHINE_PERCENT = 15; // of one core, used by other processes during the window

// One stream: a raw socket speaking HTTP/1.0, so the body is the event stream itself, or HTTP/1.1
// (--http11), whose chunk heads are skipped: a chunk may end inside an event.
// The body is scanned as bytes for each event's `"text":"<seq> ` and nothing else is decoded:
// the driver shares the machine with the server, so every microsecond it spends per event is
// taken from the server and added to the latencies it reports.
const MARKER = Buffer.from('"text":"');
const ROOM_MARKER = Buffer.from('"room":"r'); // many rooms: the event's room, ahead of its text
const REFUSED = Buffer.from('event: refused');
const REFUSAL_SCAN_BYTES = 4096; // `event: refused` comes first, right after the headers
// Every socket reads into this one buffer (onread: no Buffer and no stream event per read);
// each read is scanned before the next one can happen, on this one thread.
const readBuffer = Buffer.alloc(256 * 1024);
let reads = 0; // socket reads, all streams: how many pieces the server's frames arrive in
let current = null; // the measured window the events count for
// Resolves with the client once it is open or refused; never rejects.
function openStream(index, isSlow) {
  return new Promise((resolve) => {
    const client = { index, slow: isSlow, received: 0, lastSeq: -1, outOfOrder: 0,
      open: false, ended: false, refused: null, closing: false, bodyBytes: 0 };
    if (manyRooms) {
      client.firstRoom = firstRoomOf(index);
      client.roomLast = new Float64Array(roomsPerClient).fill(-1); // per followed room: the last number
      client.seen = new Set(); // the numbers received in the window: a second one is a duplicate
      client.duplicates = 0;
      client.misrouted = 0;
    }
    let settled = false;
    const settle = () => { if (!settled) { settled = true; clearTimeout(timer); resolve(client); } };
    const refuse = (why) => {
      if (client.refused === null) client.refused = why;
      client.open = false;
      client.closing = true;
      socket.destroy();
      settle();
    };
    const timer = setTimeout(() => refuse('timeout'), 30000);
    let head = Buffer.alloc(0);
    let carry = null; // the end of the previous read when a marker was cut in two there
    // Finds each event's number in a piece of the event stream, which may end inside one.
    const scan = (piece, t) => {
      const buf = carry === null ? piece : Buffer.concat([carry, piece]);
      let from = 0;
      let at;
      while ((at = buf.indexOf(MARKER, from)) >= 0) {
        let i = at + MARKER.length;
        let seq = 0;
        const first = i;
        while (i < buf.length && buf[i] >= 48 && buf[i] <= 57) seq = seq * 10 + buf[i++] - 48;
        if (i === buf.length) { // the number goes on in the next piece
          carry = Buffer.from(buf.subarray(at));
          return;
        }
        if (i > first && buf[i] === 32) {  // warm-up messages have "-n "
          if (manyRooms) onRoomEvent(client, seq, t, roomLabel(buf, from, at));
          else onEvent(client, seq, t);
        }
        from = i;
      }
      // Keep the end only if it is the start of a marker: reads mostly end elsewhere, and
      // joining every read to the one before would copy each byte twice.
      carry = null;
      for (let k = Math.max(from, buf.length - (MARKER.length - 1)); k < buf.length; k++) {
        if (buf[k] === 34 && buf.subarray(k).equals(MARKER.subarray(0, buf.length - k))) {
          carry = Buffer.from(buf.subarray(k));
          break;
        }
      }
    };
    // A chunked body (HTTP/1.1): the data of each chunk is scanned, its head and CRLF skipped.
    let chunked = false;
    let chunkLeft = 0; // data bytes left in the chunk being read
    let sizeLine = null; // the chunk head read so far, while one is being read
    let crlfLeft = 0; // bytes of the CRLF after a chunk's data still to skip
    const body = (bytes, t) => {
      if (!chunked) {
        scan(bytes, t);
        return;
      }
      let i = 0;
      while (i < bytes.length) {
        if (chunkLeft > 0) {
          const n = Math.min(chunkLeft, bytes.length - i);
          scan(bytes.subarray(i, i + n), t);
          i += n;
          chunkLeft -= n;
          if (chunkLeft === 0) crlfLeft = 2;
        } else if (crlfLeft > 0) {
          crlfLeft--;
          i++;
        } else {
          const nl = bytes.indexOf(10, i);
          sizeLine = (sizeLine || '') + bytes.toString('latin1', i, nl < 0 ? bytes.length : nl);
          if (nl < 0) return;
          chunkLeft = parseInt(sizeLine, 16); // "1f4\r" or "1f4;ext\r": the hex digits count
          sizeLine = null;
          i = nl + 1;
          if (!(chunkLeft > 0)) { // the last chunk: the stream has ended
            // Many rooms: an answer that ends while the connection stays open (HTTP/1.1) ends
            // the stream as a close would (single-room runs keep their old accounting).
            if (manyRooms && chunkLeft === 0) {
              client.ended = true;
              if (client.open && !client.closing) client.endedEarly = true;
            }
            return;
          }
        }
      }
    };
    const onRead = (nread, buffer) => {
      reads++;
      let chunk = buffer.subarray(0, nread);
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.toString('latin1', 0, 12);
        if (status !== 'HTTP/1.1 200' && status !== 'HTTP/1.0 200') {
          refuse('status ' + head.toString('latin1', 9, 12));
          return false;
        }
        chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head.toString('latin1', 0, end));
        chunk = head.subarray(end + 4);
        head = null;
        client.open = true;
        settle();
      }
      if (client.bodyBytes < REFUSAL_SCAN_BYTES) {
        client.bodyBytes += chunk.length;
        if (chunk.indexOf(REFUSED) >= 0) { refuse('event: refused'); return false; }
      }
      body(chunk, now()); // everything in one read arrived together
    };
    const socket = net.connect({ host, port, localAddress: sources[index % sources.length],
      onread: { buffer: readBuffer, callback: onRead } });
    socket.on('connect', () => {
      socket.write(`GET ${streamPathOf(index)} ${httpVersion}\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('error', (e) => { if (!client.open && client.refused === null) client.refused = 'error ' + (e.code || e.message); });
    socket.on('close', () => {
      client.ended = true;
      if (!client.open && client.refused === null) client.refused = 'closed before the headers';
      if (client.open && !client.closing) client.endedEarly = true;
      settle();
    });
    client.socket = socket;
  });
}

function onEvent(client, seq, t) {
  const w = current;
  if (w === null) return;
  const sent = w.sentAt.get(seq);
  if (sent === undefined) return;   // not a message of the measured window
  client.received++;
  if (seq <= client.lastSeq) {
    client.outOfOrder++;
    if (w.outOfOrderExamples.length < 5) w.outOfOrderExamples.push({ client: client.index, seq, after: client.lastSeq, nth: client.received });
  }
  client.lastSeq = seq;
  w.latencies.push(t - sent);
  const second = Math.floor((sent - w.start) / 1000); // when in the window it was published
  (w.bySecond[second] ||= []).push(t - sent);
  w.lastArrival.set(seq, t);
  if (!w.firstArrival.has(seq)) w.firstArrival.set(seq, t);
}

// The room number the event's JSON names ("room":"rK" between the end of the previous event's
// number and this event's text), or -1 when it is not in this piece (a read cut between them).
function roomLabel(buf, from, at) {
  const r = buf.lastIndexOf(ROOM_MARKER, at);
  if (r < from || r < 0) return -1;
  let k = r + ROOM_MARKER.length;
  let n = 0;
  const first = k;
  while (k < at && buf[k] >= 48 && buf[k] <= 57) n = n * 10 + buf[k++] - 48;
  return k > first && buf[k] === 34 ? n - 1 : -2; // -2: not a room of the benchmark's
}

// Many rooms: each delivery is checked in the room its number was published to.
function onRoomEvent(client, seq, t, label) {
  const w = current;
  if (w === null) return;
  const sent = w.sentAt.get(seq);
  if (sent === undefined) return;   // not a message of the measured window
  const r = roomOfSeq(seq);
  if (label !== -1) {
    w.roomLabelsChecked++;
    if (label !== r) {
      w.roomLabelsWrong++;
      if (w.roomLabelExamples.length < 5) w.roomLabelExamples.push({ client: client.index, seq, room: roomName(r), label: label >= 0 ? roomName(label) : '?' });
    }
  }
  const slot = (r - client.firstRoom + roomsTotal) % roomsTotal;
  if (slot >= roomsPerClient) {
    client.misrouted++;
    if (w.misroutedExamples.length < 5) w.misroutedExamples.push({ client: client.index, seq, room: roomName(r) });
    return;
  }
  if (client.seen.has(seq)) {
    client.duplicates++;
    if (w.duplicateExamples.length < 5) w.duplicateExamples.push({ client: client.index, seq, room: roomName(r) });
    return;
  }
  client.seen.add(seq);
  client.received++;
  if (seq < client.roomLast[slot]) {
    client.outOfOrder++;
    if (w.outOfOrderExamples.length < 5) w.outOfOrderExamples.push({ client: client.index, room: roomName(r), seq, after: client.roomLast[slot], nth: client.received });
  }
  client.roomLast[slot] = seq;
  w.latencies.push(t - sent);
  const second = Math.floor((sent - w.start) / 1000);
  (w.bySecond[second] ||= []).push(t - sent);
  w.lastArrival.set(seq, t);
  if (!w.firstArrival.has(seq)) w.firstArrival.set(seq, t);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const padding = 'x'.repeat(Math.max(0, size - 30));
// Many rooms: the message goes to room `to` (its number mod T), with the room in its body for
// both targets, so that the event's JSON names it in both.
function publish(seq, sentAt, to = null) {
  return new Promise((resolve) => {
    const t = now();
    if (sentAt) sentAt.set(seq, t);
    const text = `${seq} ${t.toFixed(3)} ${padding}`;
    const body = to !== null ? JSON.stringify({ user: 'bench', room: roomName(to), text })
      : JSON.stringify(target === 'nchan' ? { user: 'bench', text } : { user: 'bench', room, text });
    const path = to !== null && target === 'nchan' && arg('publish-path', null) === null ? `/pub/${roomName(to)}` : publishPath;
    const req = http.request({ host, port, path, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.setTimeout(30000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
}
const round = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);

// GET /health every 100 ms while streams connect: whether the node stays prompt as it fills.
const healthTimes = [];
function probeHealth() {
  const sent = now();
  const req = http.get({ host, port, path: "/health", agent: false }, (res) => {
    res.resume();
    res.on('end', () => healthTimes.push(now() - sent));
  });
  req.setTimeout(5000, () => { healthTimes.push(5000); req.destroy(); });
  req.on('error', () => {});
}

async function connect(n) {
  const start = now();
  const all = [];
  const prober = connectRate > 0 ? setInterval(probeHealth, 100) : null;
  if (connectRate > 0) {
    // At a set rate, in tenths of a second: as clients arriving over time, not all at once.
    const perTick = Math.max(1, Math.round(connectRate / 10));
    const pending = [];
    for (let i = 0; i < n; i += perTick) {
      const wait = start + (i / connectRate) * 1000 - now();
      if (wait > 0) await sleep(wait);
      for (let j = i; j < Math.min(n, i + perTick); j++) pending.push(openStream(j, j < slow));
    }
    all.push(...await Promise.all(pending));
  } else {
    for (let i = 0; i < n; i += 200) { // in waves, so the accept queue keeps up
      const batch = [];
      for (let j = i; j < Math.min(n, i + 200); j++) batch.push(openStream(j, j < slow));
      all.push(...await Promise.all(batch));
    }
  }
  if (prober) clearInterval(prober);
  serverPids = serverPid ? processTree(serverPid) : [];
  return { all, seconds: (now() - start) / 1000 };
}

function refusals(all) {
  const why = {};
  for (const c of all) if (c.refused !== null) why[c.refused] = (why[c.refused] || 0) + 1;
  // A slow client the server cuts off is doing what it should; the others must not end.
  const endedEarly = all.filter((c) => c.endedEarly && !c.slow).length;
  if (endedEarly) why['ended early'] = endedEarly;
  return { refused: all.filter((c) => c.refused !== null).length + endedEarly, refusedWhy: why,
    slowClientsEnded: all.filter((c) => c.endedEarly && c.slow).length };
}

// One measured window: `messages` messages numbered from seqBase at the rate, to the open streams.
async function measure(all, seqBase, rate) {
  const w = { sentAt: new Map(), latencies: [], firstArrival: new Map(), lastArrival: new Map(), bySecond: [], start: 0, outOfOrderExamples: [] };
  for (const c of all) { c.received = 0; c.lastSeq = -1; c.outOfOrder = 0; }
  if (manyRooms) {
    Object.assign(w, { roomLabelsChecked: 0, roomLabelsWrong: 0, roomLabelExamples: [], misroutedExamples: [], duplicateExamples: [] });
    for (const c of all) { c.roomLast?.fill(-1); c.seen?.clear(); c.duplicates = 0; c.misrouted = 0; }
  }
  // The slow clients stop reading as the measured window opens: the kernel's socket buffers
  // fill first (several MiB on loopback), then the server's queue, until it cuts them off.
  for (const c of all) if (c.slow && c.open) c.socket.pause();
  const fast = all.filter((c) => !c.slow && c.open && !c.ended); // the ones that ended already count as refused
  const messages = Math.round(rate * seconds);
  current = w;
  const serverTicks0 = cpuTicks();
  const machine0 = machineBusyTicks();
  const driverCpu0 = process.cpuUsage();
  const reads0 = reads;
  const start = now();
  w.start = start;
  const statuses = {};
  const sends = [];
  for (let i = 0; i < messages; i++) {
    const due = start + i * 1000 / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    sends.push(publish(seqBase + i, w.sentAt, manyRooms ? roomOfSeq(seqBase + i) : null).then((status) => { statuses[status] = (statuses[status] || 0) + 1; }));
  }
  await Promise.all(sends);
  const publishWindow = (now() - start) / 1000;
  // Let the last deliveries land, but measure CPU over the publishing window only; the CPU
  // per delivery is taken over the window and the draining after it.
  const serverTicks1 = cpuTicks();
  const machine1 = machineBusyTicks();
  const driverCpu = process.cpuUsage(driverCpu0);
  let expected = messages * fast.length;
  let expectedOf = () => messages;
  let followers = null;
  if (manyRooms) {
    // A message to room r is expected by the open clients following r.
    const perRoom = new Array(roomsTotal).fill(0); // messages published to each room
    for (let i = 0; i < messages; i++) perRoom[roomOfSeq(seqBase + i)]++;
    followers = new Array(roomsTotal).fill(0);
    for (const c of fast) for (const r of roomsOf(c.index)) followers[r]++;
    expected = perRoom.reduce((n, m, r) => n + m * followers[r], 0);
    expectedOf = (c) => roomsOf(c.index).reduce((n, r) => n + perRoom[r], 0);
  }
  const deadline = now() + 10000;
  const missing = () => fast.some((c) => c.received < expectedOf(c) && !c.ended);
  while (missing() && now() < deadline) await sleep(50);
  const serverTicks2 = cpuTicks();
  const drainWindow = (now() - start) / 1000;
  current = null;
  const windowReads = reads - reads0;
  const received = fast.reduce((n, c) => n + c.received, 0);

  const latencies = w.latencies.sort((a, b) => a - b);
  const toAll = [];
  for (const [seq, t] of w.lastArrival) toAll.push(t - w.sentAt.get(seq));
  toAll.sort((a, b) => a - b);
  const toFirst = [];
  for (const [seq, t] of w.firstArrival) toFirst.push(t - w.sentAt.get(seq));
  toFirst.sort((a, b) => a - b);
  const driverPercent = (driverCpu.user + driverCpu.system) / 1e4 / publishWindow;
  const serverTicks = serverTicks1.user + serverTicks1.system - serverTicks0.user - serverTicks0.system;
  const otherPercent = (machine1 - machine0 - (serverPid ? serverTicks : 0)) / publishWindow - driverPercent;
  const drainTicks = serverTicks2.user + serverTicks2.system - serverTicks0.user - serverTicks0.system;
  return {
    messages, statuses,
    deliveriesExpected: expected, deliveriesReceived: received,
    outOfOrder: fast.reduce((n, c) => n + c.outOfOrder, 0),
    outOfOrderExamples: w.outOfOrderExamples, // client, the seq received, the one before, how many it had
    duplicates: manyRooms ? fast.reduce((n, c) => n + c.duplicates, 0) : fast.reduce((n, c) => n + Math.max(0, c.received - messages), 0),
    ...(manyRooms ? {
      roomsTotal, roomsPerClient,
      followersPerRoom: { min: Math.min(...followers), max: Math.max(...followers) },
      misrouted: fast.reduce((n, c) => n + c.misrouted, 0), misroutedExamples: w.misroutedExamples,
      duplicateExamples: w.duplicateExamples,
      roomLabels: { checked: w.roomLabelsChecked, wrong: w.roomLabelsWrong, examples: w.roomLabelExamples },
    } : {}),
    latencyMs: { p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? null) },
    // p99 of the messages published in each second of the window: where the tail is
    p99BySecondMs: Array.from(w.bySecond, (l) => (l ? round(percentile(l.sort((a, b) => a - b), 99)) : null)),
    toFirstClientMs: { p50: round(percentile(toFirst, 50)), p99: round(percentile(toFirst, 99)) },
    toAllClientsMs: { p50: round(percentile(toAll, 50)), p99: round(percentile(toAll, 99)), max: round(toAll[toAll.length - 1] ?? null) },
    deliveriesPerSecond: Math.round(received / publishWindow),
    driverReadsPerDelivery: received ? round(windowReads / received) : null,
    serverCpuPercentOfOneCore: serverPid ? round(serverTicks / publishWindow) : null,
    serverCpuSplit: serverPid ? { user: round((serverTicks1.user - serverTicks0.user) / publishWindow),
      kernel: round((serverTicks1.system - serverTicks0.system) / publishWindow) } : null,
    // 1 tick = 10,000 µs; over the window and the draining after it (drainSeconds)
    serverCpuMicrosPerDelivery: serverPid && received ? round(drainTicks * 1e4 / received) : null,
    drainSeconds: round(drainWindow),
    driverCpuPercentOfOneCore: round(driverPercent),
    driverCpuSplit: { user: round(driverCpu.user / 1e4 / publishWindow), kernel: round(driverCpu.system / 1e4 / publishWindow) },
    driverBound: driverPercent > DRIVER_BOUND_PERCENT,
    otherCpuPercentOfOneCore: round(otherPercent),
    machineBusy: otherPercent > BUSY_MACHINE_PERCENT,
  };
}

async function warmUp(all, forSeconds, rate) {
  // Outside the measurement, at the same rate: the JIT compiles the fan-out path (a server
  // runs for days; its first seconds are not its steady state). --warmup 0 measures cold.
  // With --churn K, K streams leave and K new ones come every second meanwhile, as on any
  // server people use: the paths of a client that goes away get compiled too.
  const start = now();
  const perMessage = Math.max(1, Math.round(rate));
  for (let i = 0; i < Math.round(rate * forSeconds); i++) {
    const wait = start + i * 1000 / rate - now();
    if (wait > 0) await sleep(wait);
    const seq = -1 - (warmedUp++);
    await publish(seq, null, manyRooms ? roomOfSeq(seq) : null);
    if (churn > 0 && i % perMessage === perMessage - 1) {
      for (let k = 0; k < churn; k++) {
        const at = churnNext++ % all.length;
        all[at].closing = true;
        all[at].socket.destroy();
        all[at] = await openStream(all[at].index, false);
      }
    }
  }
}

async function main() {
  const heapBefore = cold ? null : heapUsedKb();
  const rssBefore = serverPid ? rssKb() : null;
  const pssBefore = serverPid ? pssKb() : null;
  const firstRate = stepRates ? stepRates[0] : rate; // the warm-up's
  let { all, seconds: connectSeconds } = await connect(clients);
  if (!cold) await sleep(2000);
  const rssAfter = serverPid ? rssKb() : null;
  const pssAfter = serverPid ? pssKb() : null;
  const heapAfter = cold ? null : heapUsedKb();
  if (warmup > 0) {
    if (warmWave) {
      // A wave inside the warm-up too: a node that has run for a while has seen clients leave
      // at once before (a proxy restart, a network blip); its JIT has compiled those paths.
      await warmUp(all, warmup / 2, firstRate);
      for (const c of all) { c.closing = true; c.socket.destroy(); }
      all = (await connect(clients)).all;
      await warmUp(all, warmup / 2, firstRate);
    } else {
      await warmUp(all, warmup, firstRate);
    }
    await sleep(1000);
  }
  let steady = null;
  let steps = null;
  let window;
  let lastRate = firstRate;
  if (stepRates) {
    steps = [];
    for (const [step, stepRate] of stepRates.entries()) {
      if (step > 0) await sleep(1000);
      const endedBefore = refusals(all).refusedWhy['ended early'] || 0;
      // Numbers of their own in each window: a late delivery of the one before never counts.
      window = await measure(all, 1000000 * (step + 1), stepRate);
      lastRate = stepRate;
      const streamsEndedEarly = (refusals(all).refusedWhy['ended early'] || 0) - endedBefore;
      const holds = window.deliveriesReceived === window.deliveriesExpected && streamsEndedEarly === 0
        && window.latencyMs.p99 !== null && window.latencyMs.p99 < stepP99Limit;
      steps.push({ rate: stepRate, holds,
        latencyMs: { p50: window.latencyMs.p50, p99: window.latencyMs.p99, max: window.latencyMs.max },
        deliveriesExpected: window.deliveriesExpected, deliveriesReceived: window.deliveriesReceived, streamsEndedEarly,
        ...Object.fromEntries(['deliveriesPerSecond', 'serverCpuPercentOfOneCore', 'serverCpuMicrosPerDelivery',
          'driverCpuPercentOfOneCore', 'driverBound', 'driverReadsPerDelivery', 'machineBusy'].map((k) => [k, window[k]])) });
      if (!holds) break;
    }
  } else {
    window = await measure(all, 0, rate);
  }
  const first = { connected: all.filter((c) => c.open && !(c.endedEarly && !c.slow)).length, connectSeconds: round(connectSeconds), ...refusals(all) };
  let waveInfo = null;
  if (wave) {
    steady = { ...first, ...window };
    // Every stream closes at once; as many new ones connect; the window opens when they are in.
    // --join: the same N new streams, but the old ones stay (to tell the cost of the dead from that of the new).
    const old = all;
    if (!join) for (const c of all) { c.closing = true; c.socket.destroy(); }
    const reconnect = await connect(clients);
    all = join ? [...old, ...reconnect.all] : reconnect.all;
    waveInfo = { reconnectSeconds: round(reconnect.seconds) };
    window = await measure(all, 1000000, rate);
  }
  const rssEnd = serverPid ? rssKb() : null;
  const result = {
    target, clients, slowClients: slow, warmupSeconds: warmup, scenario: wave ? 'wave' : stepRates ? 'step' : cold ? 'cold' : 'steady',
    connected: all.filter((c) => c.open && !(c.endedEarly && !c.slow)).length, connectSeconds: wave ? waveInfo.reconnectSeconds : round(connectSeconds),
    ...refusals(all),
    rate: lastRate, messageBytes: size,
    ...window,
    serverProcesses: serverPids.length,
    serverRssKb: { before: rssBefore, after: rssAfter, end: rssEnd },
    serverKbPerConnection: rssBefore ? round((rssAfter - rssBefore) / clients) : null,
    serverPssKb: { before: pssBefore, after: pssAfter },
    serverPssKbPerConnection: pssBefore ? round((pssAfter - pssBefore) / clients) : null,
    healthWhileConnectingMs: healthTimes.length ? { n: healthTimes.length, p50: round(percentile([...healthTimes].sort((a, b) => a - b), 50)), p90: round(percentile([...healthTimes].sort((a, b) => a - b), 90)), first: healthTimes.slice(0, 12).map(round), p99: round(percentile([...healthTimes].sort((a, b) => a - b), 99)), max: round(Math.max(...healthTimes)) } : null,
    serverHeapUsedKb: heapBefore === null ? null : { before: heapBefore, after: heapAfter },
    serverHeapKbPerConnection: heapBefore === null || heapAfter === null ? null : round((heapAfter - heapBefore) / clients),
  };
  if (steps) {
    result.stepP99LimitMs = stepP99Limit;
    result.steps = steps;
    const held = steps.filter((s) => s.holds);
    result.highestSustainedRate = held.length ? held[held.length - 1].rate : null;
  }
  if (wave) {
    result.steady = steady;
    result.waveP99OverSteadyP99 = steady.latencyMs.p99 ? round(window.latencyMs.p99 / steady.latencyMs.p99) : null;
  }
  console.log(JSON.stringify(result, null, 2));
  for (const c of all) { c.closing = true; c.socket.destroy(); }
  agent.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
