'use strict';

// The overload curve (a benchmark, not a test). One service process, as deployed (the image's
// NODE_OPTIONS, LOG_LEVEL info, the task's memory): first its capacity, the 2xx/s of a closed loop
// of 64 connections on GET /users?limit=50; then fixed-rate open-loop loads of 1x, 1.5x, 2x and 3x
// that capacity (bench/openloop.js, in its own process). For each: offered, served (2xx/s) as a
// share of capacity, other statuses, and the p99 of the served requests. Run by scripts/bench.sh.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { memoryLimit, defaultTaskMemoryMib } = require('./memory-limit');

const APP_DIR = path.resolve(__dirname, '..');
const URL_PATH = '/users?limit=50';
const DURATION_MS = Number(process.env.BENCH_DURATION_S || 5) * 1000;
const WARMUP_MS = 1000;
const POOL_SIZE = process.env.BENCH_POOL_SIZE || '8';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';
const FACTORS = [1, 1.5, 2, 3];
const GOAL_SHARE = 0.8;
const IMAGE_NODE_OPTIONS = /NODE_OPTIONS="([^"]*)"/.exec(fs.readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const MEMORY_LIMIT = memoryLimit(Number(process.env.BENCH_TASK_MEMORY_MIB ?? defaultTaskMemoryMib()));
process.on('exit', () => MEMORY_LIMIT.remove());

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startService() {
  const port = await freePort();
  const child = spawn(...MEMORY_LIMIT.wrap(process.execPath, ['src/server.js']), {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: IMAGE_NODE_OPTIONS,
      DB_HOST: process.env.BENCH_DB_HOST,
      DB_PORT: process.env.BENCH_DB_PORT,
      DB_USER: process.env.BENCH_DB_USER,
      DB_PASSWORD: process.env.BENCH_DB_PASSWORD,
      DB_NAME: process.env.BENCH_DB_NAME,
      DB_AUTH: 'password',
      DB_TLS: 'false',
      DB_POOL_SIZE: POOL_SIZE,
      LOG_LEVEL,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return { port, child };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the service did not become ready');
}

function load(port, rate) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/openloop.js'], {
      cwd: APP_DIR,
      env: { PORT: String(port), URL_PATH, RATE: String(rate), CONNECTIONS: '64', DURATION_MS: String(DURATION_MS), WARMUP_MS: String(WARMUP_MS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`openloop exited ${code}`))));
  });
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

async function main() {
  console.log(`\noverload curve: GET ${URL_PATH}, pool size ${POOL_SIZE}, LOG_LEVEL=${LOG_LEVEL}, ${DURATION_MS / 1000} s per step ` +
    `after ${WARMUP_MS / 1000} s warm-up; memory: ${MEMORY_LIMIT.describe}`);
  console.log(`load average before: ${loadAverage()} on ${os.availableParallelism()} cores`);
  const service = await startService();
  const capacityRun = await load(service.port, 0);
  const capacity = capacityRun.ok;
  console.log(`capacity (closed loop, 64 connections): ${capacity.toFixed(0)} 2xx/s, p99 ${capacityRun.p99.toFixed(1)} ms`);
  console.log(`${'load'.padEnd(6)}${'offered/s'.padStart(11)}${'sent/s'.padStart(9)}${'2xx/s'.padStart(9)}${'served'.padStart(9)}` +
    `${'non-2xx/s'.padStart(11)}${'errors'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}   statuses`);
  const rows = [];
  for (const factor of FACTORS) {
    const r = await load(service.port, Math.round(capacity * factor));
    rows.push({ factor, ...r });
    const f = (n, w, d = 0) => (n === null ? '-' : n.toFixed(d)).padStart(w);
    console.log(`${`${factor}x`.padEnd(6)}${f(r.offered, 11)}${f(r.sent, 9)}${f(r.ok, 9)}${f(r.ok / capacity, 8, 2)}x` +
      `${f(r.other, 11)}${f(r.errors, 8)}${f(r.p50, 9, 1)}${f(r.p99, 9, 1)}   ${JSON.stringify(r.statuses)}`);
  }
  service.child.kill('SIGTERM');
  await new Promise((resolve) => (service.child.exitCode !== null ? resolve() : service.child.once('exit', resolve)));
  console.log(`load average after: ${loadAverage()}`);
  for (const r of rows.filter((x) => x.factor > 1)) {
    const share = r.ok / capacity;
    console.log(`${share >= GOAL_SHARE ? 'met   ' : 'MISSED'} served at ${r.factor}x = ${share.toFixed(2)}x capacity (goal >= ${GOAL_SHARE}x)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
