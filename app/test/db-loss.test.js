'use strict';

// Losing the database: readiness turns 503, the process stays up and answers fast 503s,
// and it becomes ready again by itself when the database returns.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { APP_DIR, appEnv, connect, freshDatabase, migrateDatabase, seedUsers, startServer, waitFor } = require('./support/env');

// This file gets its own MariaDB, so stopping it does not disturb the other test files.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-dbloss-'));
const mariadb = (cmd) => execFileSync('bash', [path.join(APP_DIR, 'scripts/mariadb.sh'), cmd, dir], { encoding: 'utf8' }).trim();
let port;
let server;

before(async () => {
  port = mariadb('start');
  await freshDatabase('loss', port);
  await migrateDatabase('loss', { DB_PORT: port });
  server = await startServer(appEnv('loss', { DB_PORT: port, DB_POOL_SIZE: '4' }));
  const conn = await connect('loss', port);
  await seedUsers(conn, 10);
  await conn.end();
});

after(async () => {
  await server?.stop();
  mariadb('stop');
  fs.rmSync(dir, { recursive: true, force: true });
});

const status = async (url) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;

test('readiness follows the database down and back up; the process survives', async () => {
  assert.equal(await status(`${server.base}/readyz`), 200);
  assert.equal(await status(`${server.base}/users?limit=5`), 200); // pooled connections now exist

  mariadb('stop');
  await waitFor(async () => (await status(`${server.base}/readyz`)) === 503, { what: 'readyz 503' });
  assert.equal(server.child.exitCode, null, 'the process is alive');
  assert.equal(await status(`${server.base}/healthz`), 200, 'liveness does not depend on the database');
  const started = Date.now();
  const res = await fetch(`${server.base}/users`);
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { statusCode: 503, error: 'Service Unavailable', message: 'database unavailable' });
  assert.ok(Date.now() - started < 2000, 'the 503 is fast');
  // A burst while down must not crash it either.
  const burst = await Promise.all(Array.from({ length: 50 }, () => status(`${server.base}/users`)));
  assert.deepEqual([...new Set(burst)], [503]);

  mariadb('start');
  await waitFor(async () => (await status(`${server.base}/readyz`)) === 200, { what: 'readyz 200 again' });
  const back = await fetch(`${server.base}/users?limit=3`);
  assert.equal(back.status, 200);
  assert.equal((await back.json()).length, 3);
  assert.equal(server.child.exitCode, null, 'still the same process');
  assert.doesNotMatch(server.output().stderr, /Unhandled|uncaught/i);
});

test('SIGINT (Ctrl-C) stops it cleanly too', async () => {
  server.child.kill('SIGINT');
  const { code } = await server.exited;
  assert.equal(code, 0);
});
