'use strict';

// The app under pressure, against the real database: overload is shed with one cheap 503 and counted
// instead of logged per request; readiness follows whether the users table can be served.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { appEnv, connect, seededDatabase, startServer, waitFor, waitForHeldQueries } = require('./support/env');

const DB = 'pressure';

before(() => seededDatabase(DB, 20));

function get(port, path, agent) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, ms: performance.now() - started }));
    });
    req.on('error', (err) => resolve({ error: err.code || err.message }));
  });
}

test('past the wait queue, users requests get the precomputed 503 at once, counted in a summary line, not logged one by one', async () => {
  // Pool of 1: one statement runs, 8 wait (QUEUE_PER_CONNECTION), the rest are shed.
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '1', LOG_LEVEL: 'info' }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const locker = await connect(DB);
  const admin = await connect(DB);
  await locker.query('LOCK TABLES users WRITE');
  let admitted;
  let shed;
  try {
    const running = get(server.port, '/users?limit=1', agent);
    await waitForHeldQueries(admin, DB, 1);
    const queued = Array.from({ length: 8 }, () => get(server.port, '/users?limit=1', agent));
    await new Promise((resolve) => setTimeout(resolve, 100));
    shed = await Promise.all(Array.from({ length: 10 }, (_, i) => get(server.port, i % 2 ? '/users?limit=1' : '/', agent)));
    assert.equal((await get(server.port, '/healthz', agent)).status, 200, 'liveness is never shed');
    await locker.query('UNLOCK TABLES');
    admitted = await Promise.all([running, ...queued]);
  } finally {
    await locker.end();
    await admin.end();
  }
  agent.destroy();
  assert.deepEqual(admitted.map((r) => r.status), Array(9).fill(200), 'the running and the queued requests are served');
  for (const r of shed) {
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), { statusCode: 503, error: 'Service Unavailable', message: 'overloaded, retry later' });
    assert.equal(r.headers['retry-after'], '1');
    assert.match(r.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    // Framing stays right for the next request on the same keep-alive connection.
    assert.equal(r.headers.connection, 'keep-alive');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    assert.ok(r.ms < 500, `shed in ${Math.round(r.ms)} ms`);
  }
  server.child.kill('SIGTERM');
  const { code, stdout } = await server.exited;
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.res?.statusCode === 503).length, 0, 'no access line per shed request');
  assert.equal(lines.filter((l) => l.msg === 'request completed' && l.res.statusCode === 200).length, 9);
  const summaries = lines.filter((l) => l.msg === 'overloaded: requests shed with 503');
  assert.equal(summaries.reduce((n, l) => n + l.shed, 0), 10, 'the shed requests are counted');
});

test('readiness: 200 while the users table can be served, 503 when it is gone, 200 again when it is back', async () => {
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '2' }));
  const admin = await connect(DB);
  const ready = async () => {
    const res = await fetch(`${server.base}/readyz`);
    return { status: res.status, body: await res.json() };
  };
  try {
    assert.deepEqual(await ready(), { status: 200, body: { status: 'ok', version: 'unknown' } });
    await admin.query('RENAME TABLE users TO users_away');
    // The database still answers a ping; readiness reads the table itself.
    await waitFor(async () => (await ready()).status === 503, { what: 'readyz 503 without the users table' });
    assert.deepEqual((await ready()).body, { status: 'users table unavailable', version: 'unknown' });
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200, 'liveness does not depend on it');
    await admin.query('RENAME TABLE users_away TO users');
    await waitFor(async () => (await ready()).status === 200, { what: 'readyz 200 again' });
  } finally {
    await admin.query('RENAME TABLE users_away TO users').catch(() => {});
    await admin.end();
    await server.stop();
  }
});
