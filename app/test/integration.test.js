'use strict';

// Against the real MariaDB: migrations, pagination, ordering, 400s and injection strings.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp } = require('../src/app');
const { createDb } = require('../src/db');
const { migrate } = require('../src/migrate');
const { appEnv, appUser, connect, dbSettings, freshDatabase, migrateDatabase, migrateEnv, runNode, seedUsers, startServer, APP_PASSWORD } = require('./support/env');

const DB = 'it_users';
const COUNT = 260;
let db;
let app;
let conn;

before(async () => {
  await freshDatabase(DB);
  db = createDb({ ...dbSettings(), database: DB, tls: false, poolSize: 4 });
  await migrate(db.pool, { database: DB });
  conn = await connect(DB);
  await seedUsers(conn, COUNT);
  app = buildApp({ db });
});

after(async () => {
  await app?.close();
  await db?.close();
  await conn?.end();
});

async function get(url) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() };
}

test('migrations create users and record themselves; a second run changes nothing', async () => {
  const [cols] = await conn.query(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
    [DB, 'users'],
  );
  assert.deepEqual(cols.map((r) => r.c), ['id', 'name', 'email', 'created_at']);
  assert.deepEqual(await migrate(db.pool, { database: DB }), []);
  const [ledger] = await conn.query('SELECT id FROM schema_migrations');
  assert.deepEqual(ledger.map((r) => r.id), ['001_create_users']);
  await assert.rejects(conn.query("INSERT INTO users (name, email) VALUES ('Dup', 'user1@example.test')"), { code: 'ER_DUP_ENTRY' });
});

test('default page is the first 50 users in id order, with the contract fields', async () => {
  const { status, body } = await get('/users');
  assert.equal(status, 200);
  assert.equal(body.length, 50);
  assert.deepEqual(Object.keys(body[0]), ['id', 'name', 'email', 'created_at']);
  assert.equal(body[0].name, 'User 1');
  assert.match(body[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(body[0].created_at) - Date.now()) < 10 * 60 * 1000, 'created_at is UTC');
});

test('keyset pagination walks every row once, ascending, then an empty page', async () => {
  const seen = [];
  let cursor = '';
  for (;;) {
    const { status, body } = await get(`/users?limit=100${cursor}`);
    assert.equal(status, 200);
    if (body.length === 0) break;
    assert.ok(body.length <= 100);
    seen.push(...body.map((u) => u.id));
    cursor = `&after=${body.at(-1).id}`;
  }
  assert.equal(seen.length, COUNT);
  assert.equal(new Set(seen).size, COUNT);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
});

test('limit=500 returns everything up to 500; after skips exactly', async () => {
  const all = await get('/users?limit=500');
  assert.equal(all.body.length, COUNT);
  const page = await get(`/?after=${all.body[9].id}&limit=5`);
  assert.deepEqual(page.body.map((u) => u.id), all.body.slice(10, 15).map((u) => u.id));
});

const INJECTIONS = [
  '1; DROP TABLE users',
  "1' OR '1'='1",
  '1 OR 1=1',
  '0 UNION SELECT user, password, 1, 1 FROM mysql.user',
  '1); DELETE FROM users; --',
  '1/**/OR/**/1=1',
];

test('injection strings are 400s and leave the table intact', async () => {
  for (const value of INJECTIONS) {
    for (const key of ['limit', 'after']) {
      const { status, body } = await get(`/users?${key}=${encodeURIComponent(value)}`);
      assert.equal(status, 400, `${key}=${value}`);
      assert.equal(body.error, 'Bad Request');
    }
  }
  for (const bad of ['limit=0', 'limit=501', 'limit=2.5', 'after=0', 'after=-1', 'after=abc']) {
    assert.equal((await get(`/users?${bad}`)).status, 400, bad);
  }
  const [[{ n }]] = await conn.query('SELECT COUNT(*) AS n FROM users');
  assert.equal(n, COUNT);
});

test('three migration processes started at once apply each migration exactly once', async () => {
  const name = 'it_concurrent';
  await freshDatabase(name);
  const runs = [1, 2, 3].map(() => runNode(['src/migrate.js'], migrateEnv(name, { LOG_LEVEL: 'info' })).exited);
  const results = await Promise.all(runs);
  for (const r of results) assert.equal(r.code, 0, r.stderr + r.stdout);
  const logs = results.map((r) => r.stdout.trim().split('\n').map((l) => JSON.parse(l)));
  const applied = logs.map((lines) => lines.find((l) => l.applied).applied.length);
  assert.deepEqual(applied.sort(), [0, 0, 1], 'one run applied, two found it done');
  for (const lines of logs) assert.equal(lines.at(-1).msg, 'app user up to date', 'each run provisioned the app user too');
  const other = await connect(name);
  try {
    const [ledger] = await other.query('SELECT id FROM schema_migrations');
    assert.deepEqual(ledger.map((r) => r.id), ['001_create_users']);
    const [[{ n }]] = await other.query('SELECT COUNT(*) AS n FROM users');
    assert.equal(n, 0);
  } finally {
    await other.end();
  }
});

test('the real server over HTTP: keep-alive outlives the ALB idle timeout, logs are JSON without secrets', async () => {
  await migrateDatabase(DB); // the app user
  const server = await startServer(appEnv(DB, { LOG_LEVEL: 'info', APP_VERSION: 'sha-1a2b3c' }));
  try {
    const res = await fetch(`${server.base}/users?limit=3`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('keep-alive'), 'timeout=65');
    assert.deepEqual((await res.json()).map((u) => u.name), ['User 1', 'User 2', 'User 3']);
    const bad = await fetch(`${server.base}/users?limit=${encodeURIComponent("1' OR 1=1 --")}`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).statusCode, 400);
    assert.equal(res.headers.get('x-app-version'), 'sha-1a2b3c');
    const ready = await fetch(`${server.base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok', version: 'sha-1a2b3c' });
    const healthy = await runNode(['src/healthcheck.js'], { PATH: process.env.PATH, PORT: String(server.port) }).exited;
    assert.equal(healthy.code, 0, 'the container health check passes against the running server');
  } finally {
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    assert.equal(code, 0);
  }
  const down = await runNode(['src/healthcheck.js'], { PATH: process.env.PATH, PORT: String(server.port) }).exited;
  assert.equal(down.code, 1, 'and fails once nothing listens');
  assert.match(down.stderr, /ECONNREFUSED/);
  const lines = server.output().stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.msg === 'request completed' && l.reqId && l.res.statusCode === 200));
  assert.ok(lines.some((l) => l.msg === 'starting' && l.config.db.user === appUser(DB) && l.config.db.auth === 'password'));
  assert.ok(!server.output().stdout.includes(APP_PASSWORD), 'the password never reaches the logs');
});
