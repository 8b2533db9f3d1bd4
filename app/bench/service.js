'use strict';

// Shared by the overload benches (not product code): the service as deployed (the image's
// NODE_OPTIONS, the task's memory cgroup, the bench database), and one run of bench/openloop.js
// against it in its own process. BENCH_TASKSET pins processes: "SERVER_CPUS/LOADGEN_CPUS[/DB_CPUS]",
// e.g. "0/1" runs the service on CPU 0 and the load generator on CPU 1 (MariaDB stays where it is);
// "0/1/1" also pins MariaDB to CPU 1 and runs the generator at nice 10 there, so that the database
// is served before the clients: on AWS the task's CPUs are its own, and neither the clients (the ALB)
// nor the database (RDS) take from them or from each other.
// BENCH_BASELINE=DIR names another checkout's app directory (its src/ and node_modules) to run
// beside this one, interleaved, for before/after figures from the same run.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { memoryLimit, defaultTaskMemoryMib } = require('./memory-limit');

const APP_DIR = path.resolve(__dirname, '..');
const IMAGE_NODE_OPTIONS = /NODE_OPTIONS="([^"]*)"/.exec(fs.readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const MEMORY_LIMIT = memoryLimit(Number(process.env.BENCH_TASK_MEMORY_MIB ?? defaultTaskMemoryMib()));
process.on('exit', () => MEMORY_LIMIT.remove());

const TASKSET = process.env.BENCH_TASKSET || '';
if (TASKSET && !/^[0-9,-]+\/[0-9,-]+(\/[0-9,-]+)?$/.test(TASKSET)) {
  throw new Error(`BENCH_TASKSET must be SERVER_CPUS/LOADGEN_CPUS[/DB_CPUS], e.g. 0/1 or 0/1/1 (got ${JSON.stringify(TASKSET)})`);
}
const [SERVER_CPUS, LOADGEN_CPUS, DB_CPUS] = TASKSET ? TASKSET.split('/') : [null, null, null];
const pinned = (cpus, [cmd, args]) => (cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args]);
const LOADGEN_NICE = DB_CPUS ? 10 : 0;
if (DB_CPUS) {
  if (!process.env.BENCH_DB_PID) throw new Error('BENCH_TASKSET with DB_CPUS needs BENCH_DB_PID (scripts/bench.sh sets it)');
  // -a: every thread MariaDB has; the threads it starts later inherit the mask.
  execFileSync('taskset', ['-a', '-p', '-c', DB_CPUS, process.env.BENCH_DB_PID], { stdio: 'ignore' });
}
const BASELINE = process.env.BENCH_BASELINE || '';
if (BASELINE && !fs.existsSync(path.join(BASELINE, 'src', 'server.js'))) {
  throw new Error(`BENCH_BASELINE must be an app directory with src/server.js (got ${JSON.stringify(BASELINE)})`);
}
// The services to compare: [label, app directory], the baseline first.
const SERVICES = BASELINE ? [['before', path.resolve(BASELINE)], ['after', APP_DIR]] : [['service', APP_DIR]];
const describePinning = () => (TASKSET
  ? `service pinned to CPU ${SERVER_CPUS}, load generator to CPU ${LOADGEN_CPUS}` +
  (DB_CPUS ? ` at nice ${LOADGEN_NICE}, MariaDB to CPU ${DB_CPUS}` : ' (MariaDB unpinned)')
  : 'no CPU pinning');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts src/server.js (of appDir, this app by default) with the given pool size and log level; extra node flags (e.g. --cpu-prof)
// go before the script. Resolves { port, child } once /readyz answers 200.
async function startService({ appDir = APP_DIR, poolSize, logLevel, nodeFlags = [] }) {
  const port = await freePort();
  const child = spawn(...pinned(SERVER_CPUS, MEMORY_LIMIT.wrap(process.execPath, [...nodeFlags, 'src/server.js'])), {
    cwd: appDir,
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
      DB_POOL_SIZE: String(poolSize),
      LOG_LEVEL: logLevel,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) return { port, child };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the service did not become ready');
}

async function stopService(service) {
  service.child.kill('SIGTERM');
  await new Promise((resolve) => (service.child.exitCode !== null ? resolve() : service.child.once('exit', resolve)));
}

// One run of the load generator (see bench/openloop.js for the variables); onStart gets its pid.
function load(env, onStart = () => {}) {
  return new Promise((resolve, reject) => {
    const generator = [process.execPath, ['bench/openloop.js']];
    const niced = LOADGEN_NICE ? ['nice', ['-n', String(LOADGEN_NICE), generator[0], ...generator[1]]] : generator;
    const child = spawn(...pinned(LOADGEN_CPUS, niced), {
      cwd: APP_DIR,
      env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onStart(child.pid);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`openloop exited ${code}`))));
  });
}

module.exports = { APP_DIR, MEMORY_LIMIT, SERVICES, startService, stopService, load, describePinning };
