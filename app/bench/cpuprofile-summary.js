'use strict';

// Summarises a V8 .cpuprofile (node --cpu-prof) by self time: per package or file, then per
// function. Usage: node bench/cpuprofile-summary.js FILE.cpuprofile [TOP]
// Note: the V8 profiler samples wall time on the JS thread, so a thread preempted inside a
// syscall (a socket write that wakes MariaDB, say) is charged to that native function; check
// such entries against CPU samples (perf) before reading them as CPU cost.
const fs = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile-summary.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg || 30);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i] || 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map();
const byFile = new Map();
const add = (map, key, us) => map.set(key, (map.get(key) || 0) + us);
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const where = url.replace(/^.*node_modules\//, 'node_modules/').replace(/^file:\/\/.*?\/app\//, '');
  add(byFunction, `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`, us);
  const pkg = where.startsWith('node_modules/') ? where.split('/').slice(0, 2).join('/') : where || functionName;
  add(byFile, pkg, us);
}

function print(title, map, n) {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${key}`);
  }
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print('self time by package / file', byFile, 20);
print('self time by function', byFunction, top);
