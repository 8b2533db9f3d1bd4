'use strict';

// What one refusal costs (a benchmark, not a test): the service as deployed, with a pool of 1 whose
// table is write-locked from another connection, so its one statement and its QUEUE_PER_CONNECTION
// waiters hold and every further users request is shed. A closed loop of 64 connections beyond
// those then measures the service's CPU per shed 503, beside its CPU per answer on /healthz (the
// whole Fastify path, no database) as the reference. BENCH_CPU_PROF=DIR writes the service's V8 CPU
// profile (node --cpu-prof) there, of the shed run alone (the /healthz run is skipped); summarise it
// with bench/cpuprofile-summary.js. BENCH_OVERLOAD_ROUNDS and BENCH_BASELINE as in bench/overload.js.
const os = require('node:os');
const mysql = require('mysql2/promise');
const { QUEUE_PER_CONNECTION } = require('../src/db');
const { SERVICES, startService, stopService, load, describePinning } = require('./service');

const DURATION_MS = Number(process.env.BENCH_DURATION_S || 5) * 1000;
const WARMUP_MS = 1000;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';
const HELD = 1 + QUEUE_PER_CONNECTION; // pool of 1: one statement runs, the queue is full
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const ROUNDS = Number(process.env.BENCH_OVERLOAD_ROUNDS || 1);

async function main() {
  console.log(`\nrefusal cost: pool of 1 with its table locked, ${HELD} requests held, 64 more connections in a closed loop; ` +
    `LOG_LEVEL=${LOG_LEVEL}; ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up; ${describePinning()}`);
  console.log(`load average before: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  const nodeFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const locker = await mysql.createConnection({
    host: process.env.BENCH_DB_HOST,
    port: Number(process.env.BENCH_DB_PORT),
    user: process.env.BENCH_ADMIN_USER,
    password: process.env.BENCH_ADMIN_PASSWORD,
    database: process.env.BENCH_DB_NAME,
  });
  const rows = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, appDir] of SERVICES) {
        const service = await startService({ appDir, poolSize: 1, logLevel: LOG_LEVEL, nodeFlags });
        await locker.query('LOCK TABLES users WRITE'); // after /readyz, which reads the table
        const env = { PORT: service.port, RATE: 0, DURATION_MS, WARMUP_MS, SERVER_PID: service.child.pid, DB_PID: process.env.BENCH_DB_PID ?? '' };
        try {
          rows.push([`${label}: shed 503 on /users?limit=50`, await load({ ...env, URL_PATH: '/users?limit=50', CONNECTIONS: HELD + 64 })]);
          if (!PROFILE_DIR) rows.push([`${label}: /healthz (Fastify, no DB)`, await load({ ...env, URL_PATH: '/healthz', CONNECTIONS: 64 })]);
        } finally {
          await locker.query('UNLOCK TABLES');
          await stopService(service);
        }
      }
    }
  } finally {
    await locker.end();
  }
  console.log(`${'path'.padEnd(38)}${'answers/s'.padStart(10)}${'service us/answer'.padStart(19)}${'generator us/answer'.padStart(21)}` +
    `${'CPU svc/gen/db/all'.padStart(24)}   statuses`);
  for (const [name, r] of rows) {
    const answers = r.ok + r.other;
    const us = (cores) => ((cores * 1e6) / answers).toFixed(1);
    const c = r.cpu;
    console.log(`${name.padEnd(38)}${answers.toFixed(0).padStart(10)}${us(c.server).padStart(19)}${us(c.loadgen).padStart(21)}` +
      `${`${c.server.toFixed(2)}/${c.loadgen.toFixed(2)}/${(c.db ?? NaN).toFixed(2)}/${c.machine.toFixed(2)}`.padStart(24)}   ${JSON.stringify(r.statuses)}`);
  }
  if (PROFILE_DIR) console.log(`CPU profile written to ${PROFILE_DIR} (node bench/cpuprofile-summary.js FILE)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
