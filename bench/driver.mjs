// sse-chat load driver: one Node process, non-blocking sockets (no thread per client).
// Opens N event streams, publishes M numbered, timestamped messages at a set rate through
// POST /chat, and reports deliveries, latency from publish to receipt, and the server's RSS
// and CPU (read from /proc, the server runs on this machine). Prints one JSON object.
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const arg = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const host = '127.0.0.1';
const port = Number(arg('port', 8080));
const clients = Number(arg('clients', 1000));
const rate = Number(arg('rate', 20));            // messages per second
const seconds = Number(arg('seconds', 10));
const size = Number(arg('size', 100));           // bytes of text per message
const slow = Number(arg('slow', 0));             // clients that stop reading
const warmup = Number(arg('warmup', 10));         // seconds of publishing at the rate before measuring
const serverPid = Number(arg('pid', 0));
const room = 'bench';
const now = () => performance.timeOrigin + performance.now();

// Bind the driver's sockets to several loopback addresses: about 28,000 ports exist per address.
const sources = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

function rssKb() {
  const status = fs.readFileSync(`/proc/${serverPid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) }; // utime, stime, in 1/100 s
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One stream: a raw socket speaking HTTP/1.0, so the body is the event stream itself (no chunks).
// The body is scanned as bytes for each event's `"text":"<seq> ` and nothing else is decoded:
// the driver shares the machine with the server, so every microsecond it spends per event is
// taken from the server and added to the latencies it reports.
const MARKER = Buffer.from('"text":"');
// Every socket reads into this one buffer (onread: no Buffer and no stream event per read);
// each read is scanned before the next one can happen, on this one thread.
const readBuffer = Buffer.alloc(256 * 1024);
function openStream(index, isSlow) {
  return new Promise((resolve, reject) => {
    const client = { index, slow: isSlow, received: 0, lastSeq: -1, outOfOrder: 0, open: false, ended: false };
    let head = Buffer.alloc(0);
    let carry = null; // the end of the previous read when a marker was cut in two there
    const onRead = (nread, buffer) => {
      let chunk = buffer.subarray(0, nread);
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.toString('latin1', 0, 12);
        if (status !== 'HTTP/1.1 200' && status !== 'HTTP/1.0 200') {
          reject(new Error('stream refused: ' + head.toString('utf8', 0, 80)));
          socket.destroy();
          return;
        }
        chunk = head.subarray(end + 4);
        head = null;
        client.open = true;
        resolve(client);
      }
      const t = now(); // everything in one read arrived together
      const buf = carry === null ? chunk : Buffer.concat([carry, chunk]);
      let from = 0;
      let at;
      while ((at = buf.indexOf(MARKER, from)) >= 0) {
        let i = at + MARKER.length;
        let seq = 0;
        const first = i;
        while (i < buf.length && buf[i] >= 48 && buf[i] <= 57) seq = seq * 10 + buf[i++] - 48;
        if (i === buf.length) { // the number goes on in the next read
          carry = Buffer.from(buf.subarray(at));
          return;
        }
        if (i > first && buf[i] === 32) onEvent(client, seq, t); // warm-up messages have "-n "
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
    const socket = net.connect({ host, port, localAddress: sources[index % sources.length],
      onread: { buffer: readBuffer, callback: onRead } });
    socket.on('connect', () => {
      socket.write(`GET /sse?room=${room} HTTP/1.0\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('error', (e) => { if (!client.open) reject(e); });
    socket.on('close', () => { client.ended = true; });
    client.socket = socket;
  });
}

const latencies = [];               // publish to receipt, every delivery, ms
const lastArrival = new Map();      // seq -> time the last client received it
const firstArrival = new Map();     // seq -> time the first client received it
const sentAt = new Map();           // seq -> publish time
function onEvent(client, seq, t) {
  const sent = sentAt.get(seq);
  if (sent === undefined) return;   // not a message of the measured window
  client.received++;
  if (seq <= client.lastSeq) client.outOfOrder++;
  client.lastSeq = seq;
  latencies.push(t - sent);
  lastArrival.set(seq, t);
  if (!firstArrival.has(seq)) firstArrival.set(seq, t);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const padding = 'x'.repeat(Math.max(0, size - 30));
function publish(seq) {
  return new Promise((resolve) => {
    const t = now();
    sentAt.set(seq, t);
    const body = JSON.stringify({ user: 'bench', room, text: `${seq} ${t.toFixed(3)} ${padding}` });
    const req = http.request({ host, port, path: '/chat', method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
}
const round = (x) => (x === null ? null : Math.round(x * 100) / 100);

async function main() {
  const rssBefore = serverPid ? rssKb() : null;
  const connectStart = now();
  const all = [];
  for (let i = 0; i < clients; i += 200) { // in waves, so the accept queue keeps up
    const wave = [];
    for (let j = i; j < Math.min(clients, i + 200); j++) wave.push(openStream(j, j < slow));
    all.push(...await Promise.all(wave));
  }
  const connectMs = now() - connectStart;
  await sleep(2000);
  const rssAfter = serverPid ? rssKb() : null;

  // Warm-up outside the measurement, at the same rate: the JIT compiles the fan-out path (a
  // server runs for days; its first seconds are not its steady state). --warmup 0 measures cold.
  const warmupStart = now();
  for (let i = 0; i < Math.round(rate * warmup); i++) {
    const wait = warmupStart + i * 1000 / rate - now();
    if (wait > 0) await sleep(wait);
    await publish(-1 - i);
  }
  sentAt.clear();
  latencies.length = 0;
  await sleep(1000);

  // The slow clients stop reading as the measured window opens: the kernel's socket buffers
  // fill first (several MiB on loopback), then the server's queue, until it cuts them off.
  for (const c of all) if (c.slow) c.socket.pause();
  const messages = Math.round(rate * seconds);
  const serverTicks0 = serverPid ? cpuTicks(serverPid) : null;
  const driverCpu0 = process.cpuUsage();
  const start = now();
  const statuses = {};
  const sends = [];
  for (let seq = 0; seq < messages; seq++) {
    const due = start + seq * 1000 / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    sends.push(publish(seq).then((status) => { statuses[status] = (statuses[status] || 0) + 1; }));
  }
  await Promise.all(sends);
  const publishWindow = (now() - start) / 1000;
  // Let the last deliveries land, but measure CPU over the publishing window only.
  const serverTicks1 = serverPid ? cpuTicks(serverPid) : null;
  const driverCpu = process.cpuUsage(driverCpu0);
  const fast = all.filter((c) => !c.slow);
  const expected = messages * fast.length;
  const deadline = now() + 10000;
  while (fast.reduce((n, c) => n + c.received, 0) < expected && now() < deadline) await sleep(50);
  const received = fast.reduce((n, c) => n + c.received, 0);
  const rssEnd = serverPid ? rssKb() : null;

  latencies.sort((a, b) => a - b);
  const toAll = [];
  for (const [seq, t] of lastArrival) toAll.push(t - sentAt.get(seq));
  toAll.sort((a, b) => a - b);
  const toFirst = [];
  for (const [seq, t] of firstArrival) toFirst.push(t - sentAt.get(seq));
  toFirst.sort((a, b) => a - b);
  const result = {
    clients, slowClients: slow, warmupSeconds: warmup, connected: all.filter((c) => c.open).length, connectSeconds: round(connectMs / 1000),
    messages, rate, messageBytes: size, statuses,
    deliveriesExpected: expected, deliveriesReceived: received,
    outOfOrder: fast.reduce((n, c) => n + c.outOfOrder, 0),
    latencyMs: { p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? null) },
    toFirstClientMs: { p50: round(percentile(toFirst, 50)), p99: round(percentile(toFirst, 99)) },
    toAllClientsMs: { p50: round(percentile(toAll, 50)), p99: round(percentile(toAll, 99)), max: round(toAll[toAll.length - 1] ?? null) },
    deliveriesPerSecond: Math.round(received / publishWindow),
    serverRssKb: { before: rssBefore, after: rssAfter, end: rssEnd },
    serverKbPerConnection: rssBefore ? round((rssAfter - rssBefore) / clients) : null,
    serverCpuPercentOfOneCore: serverPid ? round((serverTicks1.user + serverTicks1.system
      - serverTicks0.user - serverTicks0.system) / publishWindow) : null,
    serverCpuSplit: serverPid ? { user: round((serverTicks1.user - serverTicks0.user) / publishWindow),
      kernel: round((serverTicks1.system - serverTicks0.system) / publishWindow) } : null,
    driverCpuPercentOfOneCore: round((driverCpu.user + driverCpu.system) / 1e4 / publishWindow),
    driverCpuSplit: { user: round(driverCpu.user / 1e4 / publishWindow), kernel: round(driverCpu.system / 1e4 / publishWindow) },
  };
  console.log(JSON.stringify(result, null, 2));
  for (const c of all) c.socket.destroy();
  agent.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
