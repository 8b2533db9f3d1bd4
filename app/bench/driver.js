'use strict';

// The driver limit: the service's query through a mysql2 pool with CONCURRENCY queries in flight,
// no HTTP. Prints one JSON line: requests/s, p99 latency, this process's peak RSS, and the CPU per
// query of this process and of the database server (BENCH_DB_PID) and the whole machine.
const fs = require('node:fs');
const cpu = require('./cpu');
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
  const pids = { driver: process.pid, db: Number(process.env.BENCH_DB_PID) };
  let cpuAtStart;
  setTimeout(() => {
    measuring = true;
    cpuAtStart = cpu.snapshot(pids);
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
  await new Promise((resolve) => setTimeout(resolve, 0));
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - t0 - WARMUP_MS) / 1000;
  const { perRequestMs, busyShare } = cpu.usage(cpuAtStart, cpu.snapshot(pids), latencies.length);
  await pool.end();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)];
  process.stdout.write(`${JSON.stringify({ requests: latencies.length, rps: latencies.length / seconds, p99, rssMb: peakRssMb(), cpuMsPerReq: perRequestMs.driver, perRequestMs, busyShare })}\n`);
  stopAt = 0;
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
