'use strict';

// CPU accounting for the benchmark, read from /proc (Linux): the CPU seconds that given processes
// have used, and the machine's busy and total CPU seconds, so a run can say where its CPU went.
const fs = require('node:fs');

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processCpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function machineCpuSeconds() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

// snapshot({ server: pid, db: pid }) now; usage(before, after, requests) then gives each process's
// CPU milliseconds per request, and the machine's (busy share of all cores).
function snapshot(pids) {
  const processes = {};
  for (const [name, pid] of Object.entries(pids)) processes[name] = processCpuSeconds(pid);
  return { processes, machine: machineCpuSeconds() };
}

function usage(before, after, requests) {
  const perRequestMs = {};
  for (const name of Object.keys(before.processes)) {
    perRequestMs[name] = ((after.processes[name] - before.processes[name]) * 1000) / requests;
  }
  const busy = after.machine.busy - before.machine.busy;
  perRequestMs.machine = (busy * 1000) / requests;
  return { perRequestMs, busyShare: busy / (after.machine.total - before.machine.total) };
}

module.exports = { processCpuSeconds, snapshot, usage };
