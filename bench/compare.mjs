// Reads the driver's JSON reports. With one: prints the notes on it (driver-bound, refused
// streams, lost deliveries). With two (sse-chat's, then the peer's): every figure side by side,
// with the ratio first / second (below 1: the first has less of it). Reports of --step-rates
// get a second table, one row per rate, and the highest rate each sustained.
//
//   node bench/compare.mjs target/bench/sse-chat.json [target/bench/nchan.json]
import fs from 'node:fs';

const reports = process.argv.slice(2).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
const name = (r) => (r.target === 'nchan' ? 'Nchan' : r.target);

function notes(r) {
  const out = [];
  const check = (w, where) => {
    if (w.driverBound) {
      out.push(`# ${name(r)}${where}: DRIVER-BOUND: the driver used ${w.driverCpuPercentOfOneCore} % of a core (> 85 %) ` +
        'in the measured window; the latencies measure the driver as much as the server');
    }
    if (w.machineBusy) {
      out.push(`# ${name(r)}${where}: MACHINE BUSY: other processes used ${w.otherCpuPercentOfOneCore} % of a core ` +
        'in the measured window (> 15 %); this run measures them too');
    }
    if (w.outOfOrder) {
      const ex = w.outOfOrderExamples;
      const same = ex.length > 1 && ex.every((e) => e.seq === ex[0].seq && e.after === ex[0].after);
      out.push(`# ${name(r)}${where}: ${w.outOfOrder} deliveries out of order, e.g. ${JSON.stringify(ex)}` +
        (same ? '; the same swap in every client seen: the publishes reached the server in that order ' +
          '(they overlap when one is slow), not a stream reordering' : ''));
    }
    if (w.roomsTotal) { // many rooms on one stream: what only a many-room run can get wrong
      if (w.duplicates) out.push(`# ${name(r)}${where}: ${w.duplicates} duplicate deliveries, e.g. ${JSON.stringify(w.duplicateExamples)}`);
      if (w.misrouted) out.push(`# ${name(r)}${where}: ${w.misrouted} deliveries to a stream not following their room, e.g. ${JSON.stringify(w.misroutedExamples)}`);
      if (w.roomLabels?.wrong) out.push(`# ${name(r)}${where}: ${w.roomLabels.wrong} of ${w.roomLabels.checked} events named another room than the one published to, e.g. ${JSON.stringify(w.roomLabels.examples)}`);
    }
    if (w.deliveriesReceived < w.deliveriesExpected) {
      out.push(`# ${name(r)}${where}: ${w.deliveriesExpected - w.deliveriesReceived} deliveries of ${w.deliveriesExpected} did not arrive`);
    }
  };
  check(r, r.steady ? ' (after the wave)' : '');
  if (r.steady) check(r.steady, ' (steady, before the wave)');
  if (r.refused) out.push(`# ${name(r)}: ${r.refused} of ${r.clients} streams refused: ${JSON.stringify(r.refusedWhy)}`);
  if (r.steady?.refused) out.push(`# ${name(r)} (steady): ${r.steady.refused} streams refused: ${JSON.stringify(r.steady.refusedWhy)}`);
  return out;
}

const get = (r, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), r);
const fmt = (x) => {
  if (x === undefined || x === null) return '—';
  if (typeof x === 'boolean') return x ? 'yes' : 'no';
  if (Array.isArray(x)) return x.map((v) => (v === null ? '—' : Math.round(v))).join(' ');
  if (typeof x === 'number') return Number.isInteger(x) ? x.toLocaleString('en-US') : String(Math.round(x * 100) / 100);
  return String(x);
};

if (reports.length === 1) {
  for (const line of notes(reports[0])) console.log(line);
} else {
  const [a, b] = reports;
  const rows = [
    ['streams connected', 'connected'],
    ['streams refused', 'refused'],
    ['deliveries received', 'deliveriesReceived'],
    ['deliveries expected', 'deliveriesExpected'],
    ['out of order', 'outOfOrder'],
    ['duplicates', 'duplicates'],
    ['latency p50 (ms)', 'latencyMs.p50'],
    ['latency p90 (ms)', 'latencyMs.p90'],
    ['latency p99 (ms)', 'latencyMs.p99'],
    ['latency max (ms)', 'latencyMs.max'],
    ['p99 by second of the window (ms)', 'p99BySecondMs'],
    ['to first client p50 (ms)', 'toFirstClientMs.p50'],
    ['to all clients p50 (ms)', 'toAllClientsMs.p50'],
    ['to all clients p99 (ms)', 'toAllClientsMs.p99'],
    ['deliveries / s', 'deliveriesPerSecond'],
    ['driver socket reads per delivery', 'driverReadsPerDelivery'],
    ['server CPU total (% of a core)', 'serverCpuPercentOfOneCore'],
    ['server CPU user (%)', 'serverCpuSplit.user'],
    ['server CPU kernel (%)', 'serverCpuSplit.kernel'],
    ['server CPU per delivery (µs)', 'serverCpuMicrosPerDelivery'],
    ['server processes', 'serverProcesses'],
    ['server RSS before (kB)', 'serverRssKb.before'],
    ['server RSS after connecting (kB)', 'serverRssKb.after'],
    ['server RSS at the end (kB)', 'serverRssKb.end'],
    ['RSS per connection (kB)', 'serverKbPerConnection'],
    ['PSS per connection (kB)', 'serverPssKbPerConnection'],
    ['connect time (s)', 'connectSeconds'],
    ['driver CPU (% of a core)', 'driverCpuPercentOfOneCore'],
    ['driver-bound (> 85 %)', 'driverBound'],
    ['other processes\' CPU (% of a core)', 'otherCpuPercentOfOneCore'],
    ['machine busy (> 15 %)', 'machineBusy'],
  ];
  // Each side's last step: the two may have stopped at different rates.
  if (a.steps || b.steps) rows.unshift(['rate (msg/s)', 'rate']);
  if (a.roomsTotal) {
    rows.splice(a.steps || b.steps ? 7 : 6, 0,
      ['delivered to a stream not following the room', 'misrouted'],
      ['events whose JSON names another room', 'roomLabels.wrong'],
      ['events whose JSON room was checked', 'roomLabels.checked'],
      ['followers per room, fewest', 'followersPerRoom.min'],
      ['followers per room, most', 'followersPerRoom.max'],
    );
  }
  if (a.steady && b.steady) {
    rows.push(
      ['steady p99 before the wave (ms)', 'steady.latencyMs.p99'],
      ['steady to all clients p99 (ms)', 'steady.toAllClientsMs.p99'],
      ['steady server CPU (% of a core)', 'steady.serverCpuPercentOfOneCore'],
      ['steady driver CPU (% of a core)', 'steady.driverCpuPercentOfOneCore'],
      ['wave p99 / steady p99', 'waveP99OverSteadyP99'],
    );
  }
  const table = [['', name(a), name(b), `${name(a)} / ${name(b)}`]];
  for (const [label, path] of rows) {
    const x = get(a, path);
    const y = get(b, path);
    const ratio = typeof x === 'number' && typeof y === 'number' && y !== 0 && typeof x !== 'boolean'
      ? (x / y).toFixed(2) : '—';
    table.push([label, fmt(x), fmt(y), ratio]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const stepRates = [...new Set([a, b].flatMap((r) => (r.steps || []).map((s) => s.rate)))].sort((x, y) => x - y);
  const rates = a.steps ? `steps of ${a.messages / a.rate} s at ${stepRates.join(', ')} msg/s (below: each side's last step)`
    : `${a.rate} msg/s for ${a.messages / a.rate} s`;
  console.log(`# ${a.scenario}, ${a.clients} clients (${a.slowClients} slow), ${rates}, ${a.messageBytes}-byte messages, warm-up ${a.warmupSeconds} s` +
    (a.roomsTotal ? `, ${a.roomsTotal} rooms, ${a.roomsPerClient} on each stream` : ''));
  for (const row of table) console.log('| ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ') + ' |');
  for (const line of [...notes(a), ...notes(b)]) console.log(line);
}

// --step-rates: one row per rate, each side's figures ("—" where it did not measure that rate),
// then the highest rate each sustained.
const stepped = reports.filter((r) => r.steps);
if (stepped.length) {
  const rates = [...new Set(stepped.flatMap((r) => r.steps.map((s) => s.rate)))].sort((x, y) => x - y);
  const step = (r, rate) => r.steps.find((s) => s.rate === rate);
  const columns = [
    ['p99 (ms)', (s) => fmt(s.latencyMs.p99)],
    ['delivered', (s) => (s.deliveriesReceived === s.deliveriesExpected ? 'all' : `${fmt(s.deliveriesReceived)} / ${fmt(s.deliveriesExpected)}`) +
      (s.streamsEndedEarly ? `, ${s.streamsEndedEarly} streams ended` : '')],
    ['CPU µs per delivery', (s) => fmt(s.serverCpuMicrosPerDelivery)],
    ['driver CPU %', (s) => fmt(s.driverCpuPercentOfOneCore) + (s.driverBound ? ' (bound)' : '')],
    ['holds', (s) => fmt(s.holds)],
  ];
  const table = [['rate (msg/s)', ...columns.flatMap(([label]) => stepped.map((r) => (stepped.length > 1 ? `${label} ${name(r)}` : label)))]];
  for (const rate of rates) {
    table.push([fmt(rate), ...columns.flatMap(([, cell]) => stepped.map((r) => (step(r, rate) ? cell(step(r, rate)) : '—')))]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const limit = stepped[0].stepP99LimitMs;
  console.log();
  console.log(`# rate steps: ${stepped.map(name).join(', ')}; a step holds when p99 < ${limit} ms, every delivery arrived and no stream ended`);
  console.log('| ' + table[0].map((cell, i) => cell.padEnd(widths[i])).join(' | ') + ' |');
  console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
  for (const row of table.slice(1)) console.log('| ' + row.map((cell, i) => cell.padStart(widths[i])).join(' | ') + ' |');
  for (const r of stepped) {
    const busy = r.steps.filter((s) => s.machineBusy).map((s) => s.rate);
    if (busy.length) console.log(`# ${name(r)}: MACHINE BUSY at ${busy.join(', ')} msg/s (other processes > 15 % of a core): those steps measure them too`);
  }
  // Every step held: the rate it sustains is the last tried or more.
  const highest = (r) => (r.highestSustainedRate === null ? 'none' : `${fmt(r.highestSustainedRate)} msg/s`) +
    (r.steps.every((s) => s.holds) ? ' (every step held)' : '');
  const [x, y] = stepped.map((r) => r.highestSustainedRate);
  console.log();
  console.log(`highest sustained rate (p99 < ${limit} ms, nothing lost): ${stepped.map((r) => `${name(r)} ${highest(r)}`).join(', ')}` +
    (stepped.length > 1 ? `, ratio ${x && y ? (x / y).toFixed(2) : '—'}` : ''));
}
