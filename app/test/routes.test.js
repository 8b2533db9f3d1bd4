'use strict';

// Route behaviour in-process (inject), with a fake data layer.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { buildApp } = require('../src/app');
const { DbUnavailableError } = require('../src/db');

const ROW = { id: 7, name: 'Ada', email: 'ada@example.test', created_at: new Date('2026-01-02T03:04:05Z'), secret: 'x' };

// `notReady`: what checkReady() throws (a DbUnavailableError when no connection works, the
// server's error when the users table cannot be read).
function fakeDb({ rows = [ROW], fail, pingFails = false, notReady = pingFails ? new DbUnavailableError('down') : null } = {}) {
  const calls = [];
  return {
    calls,
    async listUsers(limit, after) {
      calls.push({ limit, after });
      if (fail) throw fail;
      return rows;
    },
    async checkReady() {
      if (notReady) throw notReady;
    },
    overloaded: () => false,
  };
}

async function inject(db, url, lifecycle, options = {}) {
  const app = buildApp({ db, lifecycle, ...options });
  try {
    return await app.inject({ method: 'GET', url });
  } finally {
    await app.close();
  }
}

test('GET /users serialises only the contract fields, dates as ISO strings', async () => {
  const db = fakeDb();
  const res = await inject(db, '/users');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.deepEqual(res.json(), [{ id: 7, name: 'Ada', email: 'ada@example.test', created_at: '2026-01-02T03:04:05.000Z' }]);
  assert.deepEqual(db.calls, [{ limit: 50, after: 0 }]);
  assert.ok(res.headers['x-request-id']);
});

test('GET / is the same list as GET /users', async () => {
  const db = fakeDb();
  const res = await inject(db, '/?limit=3&after=9');
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().length, 1);
  assert.deepEqual(db.calls, [{ limit: 3, after: 9 }]);
});

test('limit and after bounds are accepted', async () => {
  const db = fakeDb();
  for (const url of ['/users?limit=1', '/users?limit=500', '/users?after=1', '/users?after=4294967295&limit=10',
    '/users?limit=010']) {
    assert.equal((await inject(db, url)).statusCode, 200, url);
  }
  assert.deepEqual(db.calls.map((c) => c.limit), [1, 500, 50, 10, 10]);
});

const BAD = [
  'limit=0', 'limit=-1', 'limit=501', 'limit=1.5', 'limit=abc', 'limit=', 'limit=10abc', 'limit=1&limit=2',
  'after=0', 'after=-5', 'after=2.5', 'after=x', 'after=4294967296',
  // Number forms that JSON-schema coercion would accept; the API takes plain decimal digits only.
  'limit=1e2', 'limit=0x10', 'limit=%2B5', 'limit=%205', 'limit=5%20', 'after=1e3', 'after=0b11', 'after=Infinity',
  `limit=${encodeURIComponent('1; DROP TABLE users')}`,
  `after=${encodeURIComponent('1 OR 1=1')}`,
  `after=${encodeURIComponent("1' OR '1'='1")}`,
  `limit=${encodeURIComponent('50) UNION SELECT * FROM mysql.user --')}`,
  // Unknown, differently cased, array-shaped and repeated keys are refused, never ignored.
  'foo=1', 'LIMIT=5', 'Limit=5&limit=5', 'after[]=1', 'after[]=', 'limit[0]=5', 'after=1&after=2', 'limit=5&limit=5', '=5',
];

for (const query of BAD) {
  test(`400 JSON for ${query}`, async () => {
    const db = fakeDb();
    for (const path of ['/users', '/']) {
      const res = await inject(db, `${path}?${query}`);
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.statusCode, 400);
      assert.equal(body.error, 'Bad Request');
      assert.match(body.message, /^querystring\/\S* (must|is not allowed)/);
    }
    assert.equal(db.calls.length, 0, 'the database is never reached');
  });
}

test('database unavailable gives a fast 503 JSON without internals', async () => {
  const res = await inject(fakeDb({ fail: new DbUnavailableError('cannot get a database connection: connect ECONNREFUSED') }), '/users');
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { statusCode: 503, error: 'Service Unavailable', message: 'database unavailable' });
  assert.equal(res.headers['retry-after'], '1');
});

test('an unexpected error is a 500 that hides the details', async () => {
  const res = await inject(fakeDb({ fail: new Error("ER_PARSE_ERROR near 'password'") }), '/users');
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
});

test('unknown routes are 404 JSON', async () => {
  const res = await inject(fakeDb(), '/nope');
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error, 'Not Found');
});

test('/healthz never touches the database', async () => {
  const db = fakeDb({ pingFails: true });
  const res = await inject(db, '/healthz');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz follows the database', async () => {
  const up = await inject(fakeDb(), '/readyz');
  assert.equal(up.statusCode, 200);
  assert.deepEqual(up.json(), { status: 'ok', version: 'unknown' });
  const down = await inject(fakeDb({ pingFails: true }), '/readyz');
  assert.equal(down.statusCode, 503);
  assert.deepEqual(down.json(), { status: 'database unavailable', version: 'unknown' });
  // A connection that works but cannot read the table (dropped, or the grant revoked) is not ready either.
  const noTable = Object.assign(new Error("Table 'appdb.users' doesn't exist"), { code: 'ER_NO_SUCH_TABLE' });
  const missing = await inject(fakeDb({ notReady: noTable }), '/readyz');
  assert.equal(missing.statusCode, 503);
  assert.deepEqual(missing.json(), { status: 'users table unavailable', version: 'unknown' });
});

test('/readyz is 503 once shutdown has begun', async () => {
  const res = await inject(fakeDb(), '/readyz', { closing: true });
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { status: 'shutting down', version: 'unknown' });
});

test('every response names the release in x-app-version, and /readyz in its body', async () => {
  const options = { version: 'sha-0123abc' };
  for (const url of ['/users', '/healthz', '/readyz', '/nope', '/users?limit=x']) {
    const res = await inject(fakeDb(), url, undefined, options);
    assert.equal(res.headers['x-app-version'], 'sha-0123abc', url);
  }
  assert.deepEqual((await inject(fakeDb(), '/readyz', undefined, options)).json(), { status: 'ok', version: 'sha-0123abc' });
  const failing = await inject(fakeDb({ pingFails: true }), '/readyz', undefined, options);
  assert.deepEqual(failing.json(), { status: 'database unavailable', version: 'sha-0123abc' }, 'even when not ready');
});

test('refused credentials: /readyz is 503 at once, /healthz only once the monitor says the task is not live', async () => {
  const refused = { credentials: { accepted: false, live: true } };
  const ready = await inject(fakeDb(), '/readyz', undefined, refused);
  assert.equal(ready.statusCode, 503);
  assert.deepEqual(ready.json(), { status: 'database credentials rejected', version: 'unknown' });
  assert.equal((await inject(fakeDb(), '/healthz', undefined, refused)).statusCode, 200);
  const dead = await inject(fakeDb(), '/healthz', undefined, { credentials: { accepted: false, live: false } });
  assert.equal(dead.statusCode, 503);
  assert.deepEqual(dead.json(), { status: 'database credentials rejected' });
});

test('a caller request id is echoed when plain, replaced when not', async () => {
  const app = buildApp({ db: fakeDb() });
  try {
    const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    const odd = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    assert.match(odd.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  } finally {
    await app.close();
  }
});

test('one access log line per request at info, none for probes or at warn', async () => {
  const pino = require('pino');
  const { Writable } = require('node:stream');
  const { loggerOptions } = require('../src/logger');
  async function linesFor(level, urls) {
    const lines = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => cb(null, lines.push(JSON.parse(chunk))) });
    const app = buildApp({ db: fakeDb(), logger: pino(loggerOptions(level), stream) });
    try {
      for (const url of urls) await app.inject({ method: 'GET', url });
    } finally {
      await app.close();
    }
    return lines;
  }
  const info = await linesFor('info', ['/users?limit=2', '/healthz', '/readyz', '/users?limit=x']);
  assert.deepEqual(
    info.map((l) => [l.msg, l.req.method, l.req.url, l.res.statusCode]),
    [
      ['request completed', 'GET', '/users?limit=2', 200],
      ['request completed', 'GET', '/users?limit=x', 400],
    ],
  );
  for (const l of info) {
    assert.equal(typeof l.responseTime, 'number');
    assert.match(l.reqId, /^[0-9a-f-]{36}$/);
  }
  assert.deepEqual(await linesFor('warn', ['/users?limit=2']), []);
});
