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
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One stream: a raw socket speaking HTTP/1.0, so the body is the event stream itself (no chunks).
function openStream(index, isSlow) {
  return new Promise((resolve, reject) => {
    const client = { index, slow: isSlow, received: 0, lastSeq: -1, outOfOrder: 0, open: false, ended: false };
    const socket = net.connect({ host, port, localAddress: sources[index % sources.length] });
    let head = true;
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`GET /sse?room=${room} HTTP/1.0\r\nHost: ${host}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      pending += chunk;
      if (head) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!pending.startsWith('HTTP/1.1 200') && !pending.startsWith('HTTP/1.0 200')) {
          reject(new Error('stream refused: ' + pending.slice(0, 80)));
          socket.destroy();
          return;
        }
        head = false;
        pending = pending.slice(end + 4);
        client.open = true;
        if (isSlow) socket.pause(); // stops reading: the TCP window closes, the server queues
        resolve(client);
      }
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.startsWith('data: {')) onEvent(client, line);
      }
    });
    socket.on('error', (e) => { if (!client.open) reject(e); });
    socket.on('close', () => { client.ended = true; });
    client.socket = socket;
  });
}

const latencies = [];               // publish to receipt, every delivery, ms
const lastArrival = new Map();      // seq -> time the last client received it
const sentAt = new Map();           // seq -> publish time
function onEvent(client, line) {
  const t = now();
  const m = /"text":"(\d+) /.exec(line.slice(0, 200));
  if (!m) return;
  const seq = Number(m[1]);
  if (!sentAt.has(seq)) return;      // a warm-up message
  client.received++;
  if (seq <= client.lastSeq) client.outOfOrder++;
  client.lastSeq = seq;
  latencies.push(t - sentAt.get(seq));
  lastArrival.set(seq, t);
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

  // Warm-up outside the measurement: the JIT compiles the fan-out path.
  for (let i = 0; i < 20; i++) { await publish(-1 - i); await sleep(20); }
  sentAt.clear();
  latencies.length = 0;
  await sleep(1000);

  const messages = Math.round(rate * seconds);
  const serverTicks0 = serverPid ? cpuTicks(serverPid) : 0;
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
  const serverTicks1 = serverPid ? cpuTicks(serverPid) : 0;
  const driverCpu = process.cpuUsage(driverCpu0);
  const fast = all.filter((c) => !c.slow);
  const expected = messages * fast.length;
  const deadline = now() + 10000;
  while (fast.reduce((n, c) => n + c.received, 0) < expected && now() < deadline) await sleep(50);
  const received = fast.reduce((n, c) => n + c.received, 0);

  latencies.sort((a, b) => a - b);
  const toAll = [];
  for (const [seq, t] of lastArrival) toAll.push(t - sentAt.get(seq));
  toAll.sort((a, b) => a - b);
  const slowCut = all.filter((c) => c.slow && c.ended).length;
  const result = {
    clients, slowClients: slow, connected: all.filter((c) => c.open).length, connectSeconds: round(connectMs / 1000),
    messages, rate, messageBytes: size, statuses,
    deliveriesExpected: expected, deliveriesReceived: received,
    outOfOrder: fast.reduce((n, c) => n + c.outOfOrder, 0),
    latencyMs: { p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? null) },
    toAllClientsMs: { p50: round(percentile(toAll, 50)), p99: round(percentile(toAll, 99)), max: round(toAll[toAll.length - 1] ?? null) },
    deliveriesPerSecond: Math.round(received / publishWindow),
    serverRssKb: { before: rssBefore, after: rssAfter },
    serverKbPerConnection: rssBefore ? round((rssAfter - rssBefore) / clients) : null,
    serverCpuPercentOfOneCore: serverPid ? round((serverTicks1 - serverTicks0) / publishWindow) : null,
    driverCpuPercentOfOneCore: round((driverCpu.user + driverCpu.system) / 1e4 / publishWindow),
    slowClientsCutOff: slowCut,
  };
  console.log(JSON.stringify(result, null, 2));
  for (const c of all) c.socket.destroy();
  agent.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
