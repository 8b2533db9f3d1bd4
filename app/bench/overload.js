'use strict';

// The overload curve (a benchmark, not a test). One service process, as deployed (the image's
// NODE_OPTIONS, LOG_LEVEL info, the task's memory): first its capacity, the 2xx/s of a closed loop
// of 64 connections on GET /users?limit=50; then fixed-rate open-loop loads of 1x, 1.5x, 2x and 3x
// that capacity (bench/openloop.js, in its own process). For each: offered, served (2xx/s) as a
// share of capacity, other statuses, the p99 of the served requests, and the CPU (in cores) the
// service, the load generator, MariaDB and the whole machine used meanwhile. On AWS the generator
// (the clients, the ALB) is not on the task's cores; here it shares them unless BENCH_TASKSET pins
// it elsewhere (bench/service.js), which then applies to the capacity run too. BENCH_OVERLOAD_ROUNDS
// repeats the curve; with BENCH_BASELINE the baseline's curve and this one's alternate. Run by
// scripts/bench.sh.
const os = require('node:os');
const { MEMORY_LIMIT, SERVICES, startService, stopService, load, describePinning } = require('./service');

const URL_PATH = '/users?limit=50';
const DURATION_MS = Number(process.env.BENCH_DURATION_S || 5) * 1000;
const WARMUP_MS = 1000;
const POOL_SIZE = process.env.BENCH_POOL_SIZE || '8';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';
const FACTORS = [1, 1.5, 2, 3];
const GOAL_SHARE = 0.8;

const ROUNDS = Number(process.env.BENCH_OVERLOAD_ROUNDS || 1);

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
const f = (n, w, d = 0) => (n === null ? '-' : n.toFixed(d)).padStart(w);
const cores = (c) => `${c.server.toFixed(2)}/${c.loadgen.toFixed(2)}/${(c.db ?? NaN).toFixed(2)}/${c.machine.toFixed(2)}`;

// One curve: capacity, then each factor of it, against a fresh service from appDir.
async function curve(label, appDir) {
  console.log(`\n[${label}] ${appDir}; load average before: ${loadAverage()} on ${os.availableParallelism()} cores`);
  const service = await startService({ appDir, poolSize: POOL_SIZE, logLevel: LOG_LEVEL });
  const env = { PORT: service.port, URL_PATH, CONNECTIONS: 64, DURATION_MS, WARMUP_MS, SERVER_PID: service.child.pid, DB_PID: process.env.BENCH_DB_PID ?? '' };
  const run = (rate) => load({ ...env, RATE: rate });
  const capacityRun = await run(0);
  const capacity = capacityRun.ok;
  console.log(`capacity (closed loop, 64 connections): ${capacity.toFixed(0)} 2xx/s, p99 ${capacityRun.p99.toFixed(1)} ms, ` +
    `CPU cores service/generator/MariaDB/machine ${cores(capacityRun.cpu)}`);
  console.log(`${'load'.padEnd(6)}${'offered/s'.padStart(11)}${'sent/s'.padStart(9)}${'2xx/s'.padStart(9)}${'served'.padStart(9)}` +
    `${'non-2xx/s'.padStart(11)}${'errors'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}` +
    `   ${'CPU svc/gen/db/all'.padEnd(22)}statuses`);
  const rows = [];
  for (const factor of FACTORS) {
    const r = await run(Math.round(capacity * factor));
    rows.push({ factor, share: r.ok / capacity, ...r });
    console.log(`${`${factor}x`.padEnd(6)}${f(r.offered, 11)}${f(r.sent, 9)}${f(r.ok, 9)}${f(r.ok / capacity, 8, 2)}x` +
      `${f(r.other, 11)}${f(r.errors, 8)}${f(r.p50, 9, 1)}${f(r.p99, 9, 1)}   ${cores(r.cpu).padEnd(22)}${JSON.stringify(r.statuses)}`);
  }
  await stopService(service);
  console.log(`load average after: ${loadAverage()}`);
  return { label, capacity, rows, load: os.loadavg()[0] };
}

async function main() {
  console.log(`\noverload curve: GET ${URL_PATH}, pool size ${POOL_SIZE}, LOG_LEVEL=${LOG_LEVEL}, ${DURATION_MS / 1000} s per step ` +
    `after ${WARMUP_MS / 1000} s warm-up; memory: ${MEMORY_LIMIT.describe}; ${describePinning()}; ${ROUNDS} round(s)`);
  const curves = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, appDir] of SERVICES) curves.push(await curve(label, appDir));
  }
  console.log('\nsummary: served (2xx/s over capacity) and p99 ms of the 2xx per load');
  for (const c of curves) {
    const missed = c.rows.filter((r) => r.factor > 1 && r.share < GOAL_SHARE).map((r) => `${r.factor}x`);
    console.log(`${c.label.padEnd(8)} capacity ${f(c.capacity, 6)}/s  ` +
      `${c.rows.map((r) => `${r.factor}x ${r.share.toFixed(2)}x ${f(r.p99, 5)} ms`).join('  ')}  ` +
      `${missed.length ? `MISSED at ${missed.join(', ')}` : 'met'} (goal >= ${GOAL_SHARE}x at 1.5x, 2x, 3x)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
