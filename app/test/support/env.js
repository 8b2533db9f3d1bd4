'use strict';

// Shared helpers for the tests. scripts/test.sh provides TEST_DB_* (a throwaway MariaDB) and
// TEST_NODE (the Node 24 binary the tests run on).
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const mysql = require('mysql2/promise');

const APP_DIR = path.resolve(__dirname, '..', '..');
const NODE = process.env.TEST_NODE || process.execPath;

function requireEnv(key) {
  const value = process.env[key];
  if (!value) throw new Error(`${key} is not set: run the tests with scripts/test.sh`);
  return value;
}

function dbSettings(port = requireEnv('TEST_DB_PORT')) {
  return {
    host: requireEnv('TEST_DB_HOST'),
    port: Number(port),
    user: requireEnv('TEST_DB_USER'),
    password: requireEnv('TEST_DB_PASSWORD'),
  };
}

// Each database gets its own app user, so a test that breaks one user's password disturbs no other.
const APP_PASSWORD = 'app-user-test-pw';
const appUser = (database) => `${database}_app`.slice(0, 32);

// The migrate container's environment: the test server's admin creates the app user.
function migrateEnv(database, overrides = {}) {
  const db = dbSettings(overrides.DB_PORT);
  return {
    PATH: process.env.PATH,
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_NAME: database,
    DB_TLS: 'false',
    LOG_LEVEL: 'warn',
    DB_ADMIN_USER: db.user,
    DB_ADMIN_PASSWORD: db.password,
    DB_APP_USER: appUser(database),
    DB_AUTH: 'password',
    DB_APP_PASSWORD: APP_PASSWORD,
    ...overrides,
  };
}

// The app container's environment: password mode, as the app user that migrate creates.
function appEnv(database, overrides = {}) {
  const db = dbSettings(overrides.DB_PORT);
  return {
    PATH: process.env.PATH,
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_AUTH: 'password',
    DB_USER: appUser(database),
    DB_PASSWORD: APP_PASSWORD,
    DB_NAME: database,
    DB_TLS: 'false',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

// Runs `node src/migrate.js` as the migrate container would, and fails the test if it fails.
async function migrateDatabase(database, overrides = {}) {
  const result = await runNode(['src/migrate.js'], migrateEnv(database, overrides)).exited;
  if (result.code !== 0) throw new Error(`migrate exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result;
}

// A fresh, empty database per test file, so files can run in parallel.
async function freshDatabase(name, port) {
  const conn = await mysql.createConnection(dbSettings(port));
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await conn.end();
  }
  return name;
}

function connect(database, port) {
  return mysql.createConnection({ ...dbSettings(port), database, timezone: 'Z' });
}

async function seedUsers(conn, count) {
  const rows = Array.from({ length: count }, (_, i) => [`User ${i + 1}`, `user${i + 1}@example.test`]);
  await conn.query('INSERT INTO users (name, email) VALUES ?', [rows]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Runs a command in the app directory; `exited` resolves once it has exited and its output is read
// (or it could not start: code null, the reason in stderr).
function run(command, args, env) {
  const child = spawn(command, args, { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => {
    child.on('error', (err) => (stderr += `${command}: ${err.message}\n`));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

function runNode(args, env) {
  return run(NODE, args, env);
}

async function waitFor(check, { timeoutMs = 15000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// Starts `node src/server.js` on a free port and waits until /healthz answers.
async function startServer(env) {
  const port = await freePort();
  const proc = runNode(['src/server.js'], { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  let exitedEarly = null;
  proc.exited.then((r) => (exitedEarly = r));
  await waitFor(
    async () => {
      if (exitedEarly) throw new Error(`server exited: ${JSON.stringify(exitedEarly)}`);
      return (await fetch(`${base}/healthz`)).status === 200;
    },
    { what: 'the server to listen' },
  );
  return {
    ...proc,
    port,
    base,
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}

// Waits until `n` of the app user's users queries are waiting in `database` (e.g. behind LOCK TABLES), as
// the server's process list shows them; `admin` is a connection that may read it.
async function waitForHeldQueries(admin, database, n) {
  await waitFor(async () => {
    const [rows] = await admin.query(
      "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ? AND info LIKE 'SELECT id, name%'",
      [appUser(database)],
    );
    return rows[0].n >= n;
  }, { what: `${n} statements waiting in the database` });
}

// A fresh database, migrated by the real migrate process (which also creates the app user), with `count` users.
async function seededDatabase(name, count) {
  await freshDatabase(name);
  await migrateDatabase(name);
  const conn = await connect(name);
  try {
    await seedUsers(conn, count);
  } finally {
    await conn.end();
  }
}

module.exports = { APP_DIR, APP_PASSWORD, NODE, appEnv, appUser, migrateEnv, migrateDatabase, connect, dbSettings, freePort, freshDatabase, run, runNode, seedUsers, seededDatabase, startServer, waitFor, waitForHeldQueries };
