'use strict';

// The driver limit: the service's query through a mysql2 pool with CONCURRENCY queries in flight,
// no HTTP. Prints one JSON line: requests/s, p99 latency and this process's peak RSS.
const fs = require('node:fs');
const { LIST_USERS_SQL } = require('../src/db');
const { createServicePool } = require('./pool');

const CONCURRENCY = Number(process.env.CONCURRENCY || 64);
const DURATION_MS = Number(process.env.DURATION_MS || 10000);
const WARMUP_MS = Number(process.env.WARMUP_MS || 2000);
const LIMIT = String(process.env.LIMIT || 100);

function peakRssMb() {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
  return kb / 1024;
}

async function main() {
  // Exactly the service's pool settings.
  const pool = createServicePool();
  const latencies = [];
  let measuring = false;
  let stopAt = Date.now() + WARMUP_MS + DURATION_MS;
  let cpuAtStart;
  setTimeout(() => {
    measuring = true;
    cpuAtStart = process.cpuUsage();
  }, WARMUP_MS);

  async function worker() {
    while (Date.now() < stopAt) {
      const t0 = performance.now();
      const [rows] = await pool.execute(LIST_USERS_SQL, [0, LIMIT]);
      if (rows.length === 0) throw new Error('no rows');
      if (measuring) latencies.push(performance.now() - t0);
    }
  }
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 0));
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - t0 - WARMUP_MS) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMsPerReq = (cpu.user + cpu.system) / 1000 / latencies.length;
  await pool.end();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)];
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, rps: latencies.length / seconds, p99, rssMb: peakRssMb(), cpuMsPerReq })}\n`);
  stopAt = 0;
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
