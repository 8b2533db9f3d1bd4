'use strict';

// SIGTERM under load: every request that started before the signal succeeds, readiness turns
// 503 at once, no new connections are accepted, and the process exits 0 well within the bound.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { appEnv, connect, freshDatabase, migrateDatabase, seedUsers, startServer } = require('./support/env');

const CLIENTS = 32;

test('SIGTERM during load: no failed in-flight request, exit 0', async () => {
  await freshDatabase('shutdown');
  await migrateDatabase('shutdown');
  const server = await startServer(appEnv('shutdown', { DB_POOL_SIZE: '8', LOG_LEVEL: 'info' }));
  const conn = await connect('shutdown');
  await seedUsers(conn, 500);
  await conn.end();

  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const results = [];
  let signalAt = Infinity;
  let stop = false;

  const request = (path) =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.get({ host: '127.0.0.1', port: server.port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ started, status: res.statusCode, body }));
        res.on('error', (err) => resolve({ started, error: err.code || err.message }));
      });
      req.on('error', (err) => resolve({ started, error: err.code || err.message }));
    });

  async function client() {
    // eslint-disable-next-line no-unmodified-loop-condition -- set after the load, while the clients await
    while (!stop) {
      const r = await request('/users?limit=500');
      results.push(r);
      if (r.error && r.started > signalAt) break; // the server is gone, as it should be
    }
  }
  const clients = Array.from({ length: CLIENTS }, client);

  await new Promise((resolve) => setTimeout(resolve, 1500)); // steady load first
  signalAt = performance.now();
  server.child.kill('SIGTERM');
  // Readiness goes 503 (or the listener is already closed) as soon as the signal is handled.
  let readyAfter;
  for (let i = 0; i < 40; i++) {
    readyAfter = await request('/readyz');
    if (readyAfter.error || readyAfter.status !== 200) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const { code } = await server.exited;
  const exitedAt = performance.now();
  stop = true;
  await Promise.all(clients);
  agent.destroy();

  const before = results.filter((r) => r.started < signalAt);
  const failed = before.filter((r) => r.error || r.status !== 200);
  assert.ok(before.length > 100, `load was running (${before.length} requests before the signal)`);
  assert.deepEqual(failed, [], 'no request that started before SIGTERM failed');
  for (const r of before) assert.equal(JSON.parse(r.body).length, 500);

  assert.equal(code, 0);
  assert.ok(exitedAt - signalAt < 20000, `exited ${Math.round(exitedAt - signalAt)} ms after SIGTERM`);
  assert.ok(readyAfter.error || readyAfter.status === 503, `readiness after SIGTERM: ${JSON.stringify(readyAfter)}`);
  assert.match(server.output().stdout + server.output().stderr, /shutting down/);

  const refused = await request('/healthz');
  assert.ok(refused.error, 'no new connections after exit');
});
