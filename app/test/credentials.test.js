'use strict';

// Broken app-user credentials (password mode, real MariaDB) are noticed by the credential monitor
// even though pooled connections survive them: /readyz turns 503 within one probe interval, /healthz
// only after FAIL_AFTER_PROBES refused logins in a row, never for a database that is just down, and
// both recover without a restart once the credentials work again.
const { test, before, after } = require('node:test');
const http = require('node:http');
const assert = require('node:assert/strict');
const { Writable } = require('node:stream');
const pino = require('pino');
const { buildApp } = require('../src/app');
const { createDb } = require('../src/db');
const { CredentialMonitor, PROBE_INTERVAL_MS, FAIL_AFTER_PROBES } = require('../src/credentials');
const { loggerOptions } = require('../src/logger');
const {
  APP_PASSWORD, appEnv, appUser, connect, dbSettings, freePort, freshDatabase, migrateDatabase, runNode, startServer, waitFor,
} = require('./support/env');

const DB = 'creds_db';
const USER = appUser(DB);
// A refused login answers at once; an unanswered one waits for the connect timeout (db.js, 3 s).
const READINESS_BOUND_MS = PROBE_INTERVAL_MS + 3000;
let admin;

const breakPassword = () => admin.query('ALTER USER ?@\'%\' IDENTIFIED BY \'not-the-app-password\'', [USER]);
const restorePassword = () => migrateDatabase(DB); // what a new task's migrate container does

function capture() {
  const lines = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => cb(null, lines.push(JSON.parse(chunk))) });
  return { logger: pino(loggerOptions('info'), stream), lines };
}

before(async () => {
  admin = await connect();
  await freshDatabase(DB);
  await migrateDatabase(DB);
});

after(() => admin?.end());

test('the numbers: a probe every 15 s, /healthz fails after 5 refused in a row (60 s)', () => {
  assert.equal(PROBE_INTERVAL_MS, 15000);
  assert.equal(FAIL_AFTER_PROBES, 5);
});

test('the monitor counts only refused logins; anything else breaks the streak', () => {
  const monitor = new CredentialMonitor({ probe: async () => {}, failAfterProbes: 3 });
  const refused = Object.assign(new Error('Access denied'), { code: 'ER_ACCESS_DENIED_ERROR' });
  const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const noToken = Object.assign(new Error('Could not load credentials'), { code: 'AUTH_SWITCH_PLUGIN_ERROR' });
  const states = [refused, refused, down, refused, noToken, refused, null].map((outcome) => {
    monitor.record(outcome);
    return [monitor.accepted, monitor.live];
  });
  assert.deepEqual(states, [
    [false, true],
    [false, true],
    [false, true], // unreachable: still not known to be accepted, but the streak starts again
    [false, true],
    [false, true], // no token could be made: a refusal too
    [false, false],
    [true, true],
  ]);
});

test(`real server: broken credentials give /readyz 503 within ${READINESS_BOUND_MS} ms; restoring them recovers it, same process`, async () => {
  const server = await startServer(appEnv(DB, { LOG_LEVEL: 'info', DB_POOL_SIZE: '2' }));
  try {
    assert.equal((await fetch(`${server.base}/users`)).status, 200); // a pooled connection exists
    await breakPassword();
    const broken = Date.now();
    await waitFor(async () => (await fetch(`${server.base}/readyz`)).status === 503, {
      timeoutMs: READINESS_BOUND_MS,
      what: '/readyz 503 after the password change',
    });
    const detectedMs = Date.now() - broken;
    const body = await (await fetch(`${server.base}/readyz`)).json();
    assert.deepEqual(body, { status: 'database credentials rejected', version: 'unknown' });
    assert.equal((await fetch(`${server.base}/users`)).status, 200, 'the pooled connection still works: only the probe saw it');
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200, 'one refused probe does not fail liveness');

    await restorePassword();
    await waitFor(async () => (await fetch(`${server.base}/readyz`)).status === 200, {
      timeoutMs: READINESS_BOUND_MS,
      what: '/readyz 200 after the password was restored',
    });
    assert.equal(server.child.exitCode, null, 'no restart');
    const lines = server.output().stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rejected = lines.filter((l) => l.msg === 'database credentials rejected: /readyz is 503');
    assert.equal(rejected.length, 1, 'one error line for the change of state');
    assert.equal(rejected[0].level, 50);
    assert.equal(rejected[0].err.code, 'ER_ACCESS_DENIED_ERROR');
    assert.equal(lines.filter((l) => l.msg === 'database credentials accepted again' && l.level === 30).length, 1);
    assert.ok(!server.output().stdout.includes(APP_PASSWORD));
    console.log(`# detected in ${detectedMs} ms (bound ${READINESS_BOUND_MS} ms)`);
  } finally {
    await server.stop();
  }
});

// The same monitor and routes as server.js, with short intervals so that the escalation runs in seconds.
function monitored(port, failAfterProbes = 3) {
  const { logger, lines } = capture();
  const { host } = dbSettings();
  const db = createDb(
    { host, port, user: USER, auth: 'password', password: APP_PASSWORD, database: DB, tls: false, poolSize: 2 },
    { logger, credentials: { intervalMs: 50, failAfterProbes } },
  );
  let probes = 0;
  const probe = db.credentials.probe;
  db.credentials.probe = () => {
    probes++;
    return probe();
  };
  const app = buildApp({ db, credentials: db.credentials });
  const status = async (url) => (await app.inject({ url })).statusCode;
  return { db, app, lines, status, probes: () => probes };
}

test('escalation: /healthz fails only after the refused logins persist, and recovers with the credentials', async () => {
  const { db, app, lines, status, probes } = monitored(dbSettings().port);
  try {
    db.credentials.start();
    await waitFor(async () => probes() > 0 && db.credentials.accepted, { what: 'a first good probe' });
    assert.deepEqual([await status('/readyz'), await status('/healthz')], [200, 200]);

    await breakPassword();
    const seen = [];
    await waitFor(
      async () => {
        const refused = db.credentials.refusedInARow;
        const health = await status('/healthz');
        seen.push([refused, health]);
        return health === 503;
      },
      { intervalMs: 10, what: '/healthz 503' },
    );
    assert.ok(seen.some(([refused]) => refused >= 1 && refused < 3), 'there was a time when only readiness failed');
    for (const [refused, health] of seen) assert.equal(health, refused >= 3 ? 503 : 200, `after ${refused} refused probes`);
    assert.equal(await status('/readyz'), 503);

    await restorePassword();
    await waitFor(async () => (await status('/healthz')) === 200 && (await status('/readyz')) === 200, { what: 'recovery' });
    const msgs = lines.filter((l) => l.msg.startsWith('database credentials')).map((l) => [l.level, l.msg]);
    assert.deepEqual(msgs, [
      [50, 'database credentials rejected: /readyz is 503'],
      [50, 'database credentials rejected on every probe: /healthz is 503 so that the task is replaced'],
      [30, 'database credentials accepted again'],
    ]);
  } finally {
    await app.close();
    await db.close();
  }
});

test('an unreachable database never fails /healthz, however long it lasts', async () => {
  const closedPort = await freePort(); // nothing listens there
  const { db, app, lines, status, probes } = monitored(closedPort);
  try {
    db.credentials.start();
    await waitFor(async () => probes() >= 10 * 3, { what: 'ten times the escalation threshold of probes' });
    assert.equal(await status('/healthz'), 200);
    assert.equal(db.credentials.refusedInARow, 0);
    assert.equal(await status('/readyz'), 503, 'readiness still follows the database');
    assert.deepEqual(lines.filter((l) => l.msg.startsWith('database credentials')), []);
  } finally {
    await app.close();
    await db.close();
  }
});

test('the container health check script fails while /healthz is 503, so ECS replaces the task', async () => {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? 503 : 404;
    res.end('{"status":"database credentials rejected"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { code } = await runNode(['src/healthcheck.js'], { PATH: process.env.PATH, PORT: String(server.address().port) }).exited;
    assert.equal(code, 1);
  } finally {
    server.close();
  }
});
