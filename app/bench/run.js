'use strict';

// Benchmark (not a test): the service, the tutorial's original design and the driver limit (and,
// for reference, the Fastify floor: a bare route with the same schema and pool), one
// after the other on the same database, each with 64 concurrent connections / queries in flight.
// Run through scripts/bench.sh, which provides the database (BENCH_DB_*) and Node 24.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const cpu = require('./cpu');
const { memoryLimit, defaultTaskMemoryMib } = require('./memory-limit');

const APP_DIR = path.resolve(__dirname, '..');
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_DURATION_S || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const WARMUP_S = 1;
const POOL_SIZE = process.env.BENCH_POOL_SIZE || '8';
const URL_PATH = '/users?limit=100';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'info';
const GOALS = { vsDriver: 0.85, vsOriginal: 3, p99Ms: 100, rssMb: 128 };
// The service runs with the image's NODE_OPTIONS (V8 heap sizing), read from the Dockerfile.
const IMAGE_NODE_OPTIONS = /NODE_OPTIONS="([^"]*)"/.exec(fs.readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8'))?.[1] ?? '';

const DB_PID = Number(process.env.BENCH_DB_PID);
// Every Node process runs with the memory of the ECS task (Pulumi.yaml's default, the staging shape).
const TASK_MEMORY_MIB = Number(process.env.BENCH_TASK_MEMORY_MIB ?? defaultTaskMemoryMib());
const MEMORY_LIMIT = memoryLimit(TASK_MEMORY_MIB);
process.on('exit', () => MEMORY_LIMIT.remove());
const dbEnv = {
  DB_HOST: process.env.BENCH_DB_HOST,
  DB_PORT: process.env.BENCH_DB_PORT,
  DB_USER: process.env.BENCH_DB_USER,
  DB_PASSWORD: process.env.BENCH_DB_PASSWORD,
  DB_NAME: process.env.BENCH_DB_NAME,
};

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function peakRssMb(pid) {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return kb / 1024;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitForHttp(url, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not come up`);
}

// A server process under test; measure() runs one warm-up plus one measured autocannon run.
async function startServer(script, extraEnv) {
  const port = await freePort();
  const child = spawn(...MEMORY_LIMIT.wrap(process.execPath, [script]), {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH, ...dbEnv, ...extraEnv, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}${URL_PATH}`;
  await waitForHttp(url, child);
  return {
    async measure() {
      await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S });
      // autocannon runs in this process: its CPU is the load generator's.
      const pids = { server: child.pid, loadgen: process.pid, db: DB_PID };
      const before = cpu.snapshot(pids);
      const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
      const { perRequestMs, busyShare } = cpu.usage(before, cpu.snapshot(pids), r.requests.total);
      return {
        rps: r.requests.average,
        p99: r.latency.p99,
        failed: r.errors + r.timeouts + r.non2xx,
        cpuMsPerReq: perRequestMs.server,
        perRequestMs,
        busyShare,
      };
    },
    async stop() {
      const rssMb = peakRssMb(child.pid);
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      return rssMb;
    },
  };
}

function measureDriver() {
  return new Promise((resolve, reject) => {
    const child = spawn(...MEMORY_LIMIT.wrap(process.execPath, ['bench/driver.js']), {
      cwd: APP_DIR,
      env: {
        PATH: process.env.PATH,
        ...dbEnv,
        BENCH_DB_PID: String(DB_PID),
        DB_POOL_SIZE: POOL_SIZE,
        CONCURRENCY: String(CONNECTIONS),
        DURATION_MS: String(DURATION_S * 1000),
        WARMUP_MS: String(WARMUP_S * 1000),
        LIMIT: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve({ failed: 0, ...JSON.parse(out) }) : reject(new Error(`driver exited ${code}`))));
  });
}

function summarise(name, runs, rssMb) {
  const perRequestMs = {};
  for (const key of Object.keys(runs[0].perRequestMs)) perRequestMs[key] = median(runs.map((r) => r.perRequestMs[key]));
  return {
    name,
    perRequestMs,
    busyShare: median(runs.map((r) => r.busyShare)),
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    rssMb: rssMb ?? Math.max(...runs.map((r) => r.rssMb)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    cpuMsPerReq: median(runs.map((r) => r.cpuMsPerReq)),
    each: runs.map((r) => Math.round(r.rps)).join(' / '),
  };
}

const fmt = (n, d = 0) => n.toFixed(d).padStart(9);
const ms = (n) => n.toFixed(3).padStart(10);

// Where each run's CPU went, per request, and what that allows. On a machine whose cores are all
// busy, req/s = cores / (CPU per request of every process), so the CPU a run costs per request
// bounds its req/s whatever the code does.
function printCpuBudget({ app, floor, memory, raw, driver }) {
  const cores = os.availableParallelism();
  console.log(`\n${'CPU ms per request'.padEnd(44)}${'Node'.padStart(10)}${'loadgen'.padStart(10)}${'MariaDB'.padStart(10)}` +
    `${'machine'.padStart(10)}   busy`);
  for (const r of [app, floor, memory, raw, driver]) {
    const p = r.perRequestMs;
    console.log(`${r.name.padEnd(44)}${ms(p.server ?? p.driver)}${ms(p.loadgen ?? 0)}${ms(p.db)}${ms(p.machine)}` +
      `   ${(100 * r.busyShare).toFixed(0)}%`);
  }
  // The cheapest a service could be: the driver run's work for the query (its own and MariaDB's),
  // plus HTTP for the same response as a reference costs it, with the same load generator.
  const query = driver.perRequestMs.driver + driver.perRequestMs.db;
  console.log(`best case on ${cores} cores, if the query cost what it costs the driver run (${query.toFixed(3)} ms) and HTTP what it costs:`);
  for (const [what, ref] of [['a Fastify route with these schemas', memory], ['raw node:http', raw]]) {
    const total = query + ref.perRequestMs.server + ref.perRequestMs.loadgen;
    const rps = (cores * 1000) / total;
    console.log(`  ${what.padEnd(36)} + ${(ref.perRequestMs.server + ref.perRequestMs.loadgen).toFixed(3)} ms = ` +
      `${total.toFixed(3)} ms -> at most ${rps.toFixed(0)} req/s = ${(rps / driver.rps).toFixed(2)}x the driver limit`);
  }
}

async function main() {
  console.log(`node ${process.version}, ${CONNECTIONS} connections, GET ${URL_PATH}, pool size ${POOL_SIZE}, ` +
    `${ROUNDS} rounds of ${DURATION_S} s (after ${WARMUP_S} s warm-up), service, references and driver interleaved, medians; ` +
    `service NODE_OPTIONS="${IMAGE_NODE_OPTIONS}", LOG_LEVEL=${LOG_LEVEL}`);
  console.log(`memory: ${MEMORY_LIMIT.describe}`);
  const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(`load average before: ${load()} on ${os.availableParallelism()} cores (other work on the machine skews req/s)`);
  // The service runs as deployed: the image's NODE_OPTIONS and LOG_LEVEL info (the default in
  // src/config.js and Pulumi.yaml), with its access log going to /dev/null.
  const service = await startServer('src/server.js', {
    NODE_OPTIONS: IMAGE_NODE_OPTIONS,
    DB_AUTH: 'password', // the app user that scripts/bench.sh had src/migrate.js create
    DB_TLS: 'false',
    DB_POOL_SIZE: POOL_SIZE,
    LOG_LEVEL,
  });
  // The Fastify floor (bench/floor.js) runs beside the service, with the image's NODE_OPTIONS too.
  const floorServer = await startServer('bench/floor.js', { NODE_OPTIONS: IMAGE_NODE_OPTIONS, DB_POOL_SIZE: POOL_SIZE });
  // References that answer the same rows from memory: a bare Fastify route with the service's
  // schemas, and raw node:http with the same bytes. They show what HTTP alone costs.
  const memoryServer = await startServer('bench/fastify-memory.js', { NODE_OPTIONS: IMAGE_NODE_OPTIONS });
  const rawServer = await startServer('bench/raw-http.js', { NODE_OPTIONS: IMAGE_NODE_OPTIONS });
  const runs = { service: [], floor: [], memory: [], raw: [], driver: [] };
  for (let i = 0; i < ROUNDS; i++) {
    runs.service.push(await service.measure());
    runs.floor.push(await floorServer.measure());
    runs.memory.push(await memoryServer.measure());
    runs.raw.push(await rawServer.measure());
    runs.driver.push(await measureDriver());
  }
  const app = summarise('service (Fastify + pool)', runs.service, await service.stop());
  const floor = summarise('Fastify floor (bare route, same schema+pool)', runs.floor, await floorServer.stop());
  const memory = summarise('Fastify, same schemas, rows from memory', runs.memory, await memoryServer.stop());
  const raw = summarise('raw node:http, same bytes from memory', runs.raw, await rawServer.stop());
  const driver = summarise('driver limit (mysql2 pool, no HTTP)', runs.driver);

  const originalServer = await startServer('bench/original.js', {});
  const originalRun = await originalServer.measure();
  const original = summarise('original (Express, connection per request)', [originalRun], await originalServer.stop());

  console.log(`\n${'run'.padEnd(44)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'RSS MB'.padStart(9)}${'failed'.padStart(9)}` +
    `${'CPU ms/req'.padStart(12)}   req/s per round`);
  for (const r of [app, floor, memory, raw, original, driver]) {
    console.log(`${r.name.padEnd(44)}${fmt(r.rps)}${fmt(r.p99, 1)}${fmt(r.rssMb, 1)}${fmt(r.failed)}` +
      `${r.cpuMsPerReq.toFixed(3).padStart(12)}   ${r.each}`);
  }
  printCpuBudget({ app, floor, memory, raw, driver });
  // The load generator shares the machine's cores with the service (not with the driver run), so
  // this also prints the Node process's own CPU cost per request, which does not depend on it.
  console.log(`\nCPU per request (Node process only): service ${app.cpuMsPerReq.toFixed(3)} ms, driver ` +
    `${driver.cpuMsPerReq.toFixed(3)} ms -> the service costs ${(app.cpuMsPerReq / driver.cpuMsPerReq).toFixed(2)}x the driver's CPU per request`);
  console.log(`Fastify floor: service / floor = ${(app.rps / floor.rps).toFixed(2)}x req/s, ` +
    `${(app.cpuMsPerReq / floor.cpuMsPerReq).toFixed(2)}x CPU per request; floor / driver limit = ${(floor.rps / driver.rps).toFixed(2)}x req/s`);
  const vsDriver = app.rps / driver.rps;
  const vsOriginal = app.rps / original.rps;
  const checks = [
    [`service / driver limit = ${vsDriver.toFixed(2)}x`, vsDriver >= GOALS.vsDriver, `>= ${GOALS.vsDriver}x`],
    [`service / original     = ${vsOriginal.toFixed(2)}x`, vsOriginal >= GOALS.vsOriginal, `>= ${GOALS.vsOriginal}x`],
    [`service p99            = ${app.p99.toFixed(1)} ms`, app.p99 <= GOALS.p99Ms, `<= ${GOALS.p99Ms} ms`],
    [`service peak RSS       = ${app.rssMb.toFixed(1)} MB`, app.rssMb <= GOALS.rssMb, `<= ${GOALS.rssMb} MB`],
    [`service failed requests = ${app.failed}`, app.failed === 0, '= 0'],
  ];
  console.log(`load average after: ${load()}\n`);
  for (const [what, ok, goal] of checks) console.log(`${ok ? 'met   ' : 'MISSED'} ${what} (goal ${goal})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
