// One Markdown table of the runs bench/matrix kept: for each, sse-chat's figure, Nchan's, and
// the ratio, for the p99 latency, the CPU per delivery and (waves) the wave p99 over the steady one.
//
//   node bench/table.mjs target/bench-matrix
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'target/bench-matrix';
const r2 = (x) => (x === null || x === undefined ? '—' : Math.round(x * 100) / 100);
const ratio = (a, b) => (a && b ? r2(a / b) : '—');
const flags = (r) => [r.driverBound && 'driver-bound', r.machineBusy && 'machine busy',
  r.deliveriesReceived < r.deliveriesExpected && `${r.deliveriesExpected - r.deliveriesReceived} lost`,
  r.refused && `${r.refused} refused`].filter(Boolean).join(', ');

console.log('| run | p99 ms: sse-chat / Nchan (ratio) | CPU µs per delivery: sse-chat / Nchan (ratio) | wave p99 / steady p99 | memory per stream | notes |');
console.log('|---|---|---|---|---|---|');
for (const run of fs.readdirSync(dir).sort()) {
  const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, run, f), 'utf8')); } catch { return null; } };
  const s = read('sse-chat.json');
  const n = read('nchan.json');
  if (!s) { console.log(`| ${run} | failed | | | | |`); continue; }
  const p99 = `${r2(s.latencyMs.p99)} / ${r2(n?.latencyMs.p99)} (${ratio(s.latencyMs.p99, n?.latencyMs.p99)})`;
  const cpu = `${r2(s.serverCpuMicrosPerDelivery)} / ${r2(n?.serverCpuMicrosPerDelivery)} (${ratio(s.serverCpuMicrosPerDelivery, n?.serverCpuMicrosPerDelivery)})`;
  const wave = s.waveP99OverSteadyP99 ? `${s.waveP99OverSteadyP99} (Nchan ${n?.waveP99OverSteadyP99 ?? '—'})` : '';
  const mem = s.clients >= 5000 ? `RSS ${r2(s.serverKbPerConnection)} kB / ${r2(n?.serverKbPerConnection)} kB` +
    (s.serverHeapKbPerConnection ? `, heap ${r2(s.serverHeapKbPerConnection)} kB` : '') : '';
  const notes = [flags(s) && `sse-chat: ${flags(s)}`, n && flags(n) && `Nchan: ${flags(n)}`].filter(Boolean).join('; ');
  console.log(`| ${run} | ${p99} | ${cpu} | ${wave} | ${mem} | ${notes} |`);
}
