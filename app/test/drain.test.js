'use strict';

// Clean drain on SIGTERM with keep-alive clients: requests held in the database all finish with 200
// and `Connection: close`, idle keep-alive sockets and half-received requests are closed at once,
// and the process exits 0 promptly after its last response. A second SIGTERM is logged and changes
// nothing; a second SIGINT (Ctrl-C twice at a terminal) exits at once.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { appEnv, connect, seededDatabase, startServer, waitFor, waitForHeldQueries } = require('./support/env');

const DB = 'drain';

before(() => seededDatabase(DB, 20));

// Holds the users table (LOCK TABLES ... WRITE from the admin), so the app's SELECTs wait in the
// database; `held(n)` waits until n of them are waiting there.
async function lockUsers() {
  const locker = await connect(DB);
  await locker.query('LOCK TABLES users WRITE');
  const admin = await connect(DB);
  return {
    held: (n) => waitForHeldQueries(admin, DB, n),
    async release() {
      await locker.query('UNLOCK TABLES');
      await locker.end();
      await admin.end();
    },
  };
}

// A keep-alive GET; resolves with status, headers, body and when the response ended.
function get(port, path, agent) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, at: performance.now() }));
    });
    req.on('error', (err) => resolve({ error: err.code || err.message, at: performance.now() }));
  });
}

// A raw socket; `closed` resolves with what the server sent before closing it.
function rawSocket(port, bytes) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.on('close', () => resolve({ received, at: performance.now() })));
  return new Promise((resolve) => socket.on('connect', () => {
    socket.write(bytes);
    resolve({ socket, closed, received: () => received });
  }));
}

test('SIGTERM with keep-alive clients holding requests in the database: all 200 with Connection: close, idle and half-received sockets closed, exit 0 promptly', async () => {
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '8', LOG_LEVEL: 'info' }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 5 });
  // Two idle keep-alive connections: each has had its answer and stays open.
  const idle = await Promise.all([1, 2].map(() => rawSocket(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')));
  await waitFor(() => idle.every((s) => s.received().includes('"status":"ok"')), { what: 'the idle sockets answered' });
  // A request whose headers have not all arrived.
  const half = await rawSocket(server.port, 'GET /users HTTP/1.1\r\nHost: x\r\n');
  const lock = await lockUsers();
  let responses;
  try {
    responses = Array.from({ length: 5 }, () => get(server.port, '/users?limit=5', agent));
    await lock.held(5);
    const signalAt = performance.now();
    server.child.kill('SIGTERM');
    // Idle and half-received sockets are closed at once, the half-received request unanswered.
    const [idleA, idleB, halfClosed] = await Promise.all([idle[0].closed, idle[1].closed, half.closed]);
    for (const s of [idleA, idleB, halfClosed]) assert.ok(s.at - signalAt < 1000, `closed ${Math.round(s.at - signalAt)} ms after SIGTERM`);
    assert.equal(halfClosed.received, '', 'the half-received request gets no answer');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the held requests are still in the database
    assert.equal(server.child.exitCode, null, 'still running while requests are in flight');
  } finally {
    await lock.release();
  }
  const results = await Promise.all(responses);
  const { code } = await server.exited;
  const exitedAt = performance.now();
  agent.destroy();

  for (const r of results) {
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.equal(r.headers.connection, 'close');
    assert.equal(JSON.parse(r.body).length, 5);
  }
  assert.equal(code, 0);
  const lastResponse = Math.max(...results.map((r) => r.at));
  assert.ok(exitedAt - lastResponse < 1000, `exited ${Math.round(exitedAt - lastResponse)} ms after its last response`);
  const { stdout } = server.output();
  assert.match(stdout, /"msg":"shutting down"/);
  assert.match(stdout, /"msg":"stopped"/);
  assert.doesNotMatch(stdout, /shutdown timed out/);
});

test('a second SIGTERM is logged and does not cut requests in flight', async () => {
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '4' }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 3 });
  const lock = await lockUsers();
  let responses;
  try {
    responses = Array.from({ length: 3 }, () => get(server.port, '/users?limit=2', agent));
    await lock.held(3);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    await waitFor(() => /already shutting down/.test(server.output().stdout), { what: 'the second SIGTERM logged' });
    assert.equal(server.child.exitCode, null);
  } finally {
    await lock.release();
  }
  const results = await Promise.all(responses);
  agent.destroy();
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  assert.equal((await server.exited).code, 0);
});

test('SIGINT twice (Ctrl-C twice at a terminal) exits 130 at once, with a log line', async () => {
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '2', LOG_LEVEL: 'info' }));
  const lock = await lockUsers();
  try {
    const inFlight = get(server.port, '/users?limit=2', new http.Agent({ keepAlive: true }));
    await lock.held(1);
    server.child.kill('SIGINT');
    await waitFor(() => /shutting down/.test(server.output().stdout), { what: 'the first SIGINT handled' });
    server.child.kill('SIGINT');
    const { code, stdout } = await server.exited;
    assert.equal(code, 130);
    assert.match(stdout, /second signal: exiting now/);
    assert.ok((await inFlight).error, 'the request in flight is cut');
  } finally {
    await lock.release();
  }
});
