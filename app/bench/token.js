'use strict';

// What IAM authentication costs the service, measured in one run (`bash scripts/bench.sh token`):
//  1. the CPU of one @aws-sdk/rds-signer getAuthToken() (static made-up keys: signing is local, so
//     nothing reaches AWS; on ECS the credential chain caches the task role's keys the same way);
//  2. the service's CPU per GET /users?limit=100 under the bench's load, password mode, and how many
//     new database connections that load made (each would need one token in iam mode);
//  3. for scale, the CPU of opening one new connection (TCP + handshake) in password mode.
// It prints the token's cost as a ratio of one request's, and what share of the run's CPU the tokens
// would have been.
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');
const { Signer } = require('@aws-sdk/rds-signer');
const cpu = require('./cpu');

const APP_DIR = path.resolve(__dirname, '..');
const TOKENS = 5000;
const CONNECTS = 300;
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_DURATION_S || 5);
const env = process.env;

function cpuMsOf(fn) {
  return async (n) => {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / n;
  };
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function serverConnections(admin) {
  const [[row]] = await admin.query("SHOW GLOBAL STATUS LIKE 'Connections'");
  return Number(row.Value);
}

async function main() {
  // 1. Token signing.
  const signer = new Signer({
    hostname: 'webservice-dev-db.abcdefghijkl.us-east-1.rds.amazonaws.com',
    port: 3306,
    username: 'app_user',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
  const sign = cpuMsOf(() => signer.getAuthToken());
  await sign(500); // warm-up
  const tokenMs = await sign(TOKENS);

  // 3. A new connection in password mode, as the service's pool opens it.
  const db = { host: env.BENCH_DB_HOST, port: Number(env.BENCH_DB_PORT), database: env.BENCH_DB_NAME };
  const connect = cpuMsOf(async () => {
    const conn = await mysql.createConnection({ ...db, user: env.BENCH_DB_USER, password: env.BENCH_DB_PASSWORD });
    await conn.end();
  });
  await connect(30);
  const connectMs = await connect(CONNECTS);

  // 2. The service under load: its CPU per request, and the new connections it made meanwhile.
  const port = await freePort();
  const child = spawn(process.execPath, ['src/server.js'], {
    cwd: APP_DIR,
    env: {
      PATH: env.PATH,
      PORT: String(port),
      DB_HOST: db.host,
      DB_PORT: String(db.port),
      DB_NAME: db.database,
      DB_USER: env.BENCH_DB_USER,
      DB_PASSWORD: env.BENCH_DB_PASSWORD,
      DB_AUTH: 'password',
      DB_TLS: 'false',
      DB_POOL_SIZE: env.BENCH_POOL_SIZE || '8',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/users?limit=100`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const admin = await mysql.createConnection({ ...db, user: env.BENCH_ADMIN_USER, password: env.BENCH_ADMIN_PASSWORD });
  try {
    await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up: the pool is full after it
    const connectionsBefore = await serverConnections(admin);
    const before = cpu.snapshot({ server: child.pid });
    const run = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
    const requests = run.requests.total;
    const requestMs = cpu.usage(before, cpu.snapshot({ server: child.pid }), requests).perRequestMs.server;
    const newConnections = (await serverConnections(admin)) - connectionsBefore; // the admin connection is already open
    const share = (newConnections * tokenMs) / (requests * requestMs);
    console.log(`node ${process.version}, @aws-sdk/rds-signer, ${TOKENS} tokens; service under ${CONNECTIONS} connections for ${DURATION_S} s`);
    console.log(`token signing (getAuthToken)      ${tokenMs.toFixed(3).padStart(8)} ms CPU per token`);
    console.log(`new connection, password mode     ${connectMs.toFixed(3).padStart(8)} ms CPU per connect (client side)`);
    console.log(`GET /users?limit=100 (service)    ${requestMs.toFixed(3).padStart(8)} ms CPU per request, ${requests} requests, ${run.non2xx + run.errors} failed`);
    console.log(`token / request = ${(tokenMs / requestMs).toFixed(2)}x; token / password-mode connect = ${(tokenMs / connectMs).toFixed(2)}x`);
    console.log(`new DB connections during the load run: ${newConnections} (each would sign one token in iam mode) ` +
      `-> tokens would add ${(100 * share).toFixed(3)} % to the run's service CPU`);
  } finally {
    await admin.end();
    child.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
