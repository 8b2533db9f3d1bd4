'use strict';

// Every malformed request is refused the same way, over a real socket (the parser's and the router's
// errors never reach inject()): a 400/405/431 with the JSON error body, an x-request-id, and a log
// line carrying that id.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Writable } = require('node:stream');
const pino = require('pino');
const { buildApp } = require('../src/app');
const { loggerOptions } = require('../src/logger');

const db = { calls: 0, async listUsers() { this.calls += 1; return []; }, async checkReady() {}, overloaded: () => false };
const lines = [];
let app;
let port;

before(async () => {
  const stream = new Writable({ write: (chunk, _enc, cb) => cb(null, lines.push(JSON.parse(chunk))) });
  app = buildApp({ db, logger: pino(loggerOptions('info'), stream) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = app.server.address().port;
});

after(() => app.close());

// Sends raw bytes and reads one response (status, lower-cased headers, body) until the server
// closes the socket or the response is complete.
function send(raw) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const done = () => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...headerLines] = data.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const body = data.slice(end + 4);
      if (headers['content-length'] !== undefined && Buffer.byteLength(body) < Number(headers['content-length'])) return false;
      socket.destroy();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) });
      return true;
    };
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      data += d;
      done();
    });
    socket.on('close', () => done() || reject(new Error(`no complete response: ${JSON.stringify(data)}`)));
    socket.on('error', () => {});
    socket.write(raw);
  });
}

async function refused(raw, status, message) {
  const res = await send(raw);
  assert.equal(res.status, status, raw.slice(0, 60));
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message', 'statusCode']);
  assert.equal(res.body.statusCode, status);
  assert.match(res.body.message, message);
  assert.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  await new Promise((resolve) => setImmediate(resolve));
  const logged = lines.filter((l) => l.reqId === res.headers['x-request-id']);
  assert.ok(logged.length >= 1, `a log line carries the request id of ${JSON.stringify(raw.slice(0, 60))}`);
  return res;
}

const req = (line, headers = 'Host: x\r\n') => `${line}\r\n${headers}\r\n`;

test('request targets other than origin-form are 400: GET *, OPTIONS *, absolute-form', async () => {
  await refused(req('GET * HTTP/1.1'), 400, /request target must start with \//);
  await refused(req('OPTIONS * HTTP/1.1'), 400, /request target must start with \//);
  await refused(req('GET http://example.test/users HTTP/1.1'), 400, /request target must start with \//);
  assert.equal(db.calls, 0);
});

test('HTTP versions other than 1.0 and 1.1 are 400', async () => {
  await refused(req('GET /users HTTP/1.2'), 400, /HPE_INVALID_VERSION/);
  await refused(req('GET /users HTTP/2.0'), 400, /HTTP version 2.0 is not supported/);
  await refused(req('GET /users HTTP/0.9'), 400, /HTTP version 0.9 is not supported/);
  assert.equal(db.calls, 0);
});

test('parser errors and header overflow use the same JSON shape: 400 and 431, then the connection closes', async () => {
  const garbage = await refused('GARBAGE\r\n\r\n', 400, /malformed request/);
  assert.equal(garbage.headers.connection, 'close');
  await refused(req('GET /users HTTP/1.1', 'Host: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n'), 400, /malformed request/);
  const big = await refused(req('GET /users HTTP/1.1', `Host: x\r\nX-Big: ${'a'.repeat(20000)}\r\n`), 431, /Request Header Fields Too Large/);
  assert.equal(big.headers.connection, 'close');
  assert.equal(db.calls, 0);
});

test('a bad percent-encoding in the path is a 400 in the same shape, logged', async () => {
  await refused(req('GET /us%ZZers HTTP/1.1'), 400, /not a valid url component/);
});

test('a wrong method on a route is 405 with Allow; an unknown path stays 404', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    for (const path of ['/users', '/', '/healthz', '/readyz']) {
      const res = await send(req(`${method} ${path} HTTP/1.1`, 'Host: x\r\nContent-Length: 0\r\n'));
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message', 'statusCode']);
    }
  }
  const missing = await send(req('POST /nope HTTP/1.1', 'Host: x\r\nContent-Length: 0\r\n'));
  assert.equal(missing.status, 404);
  assert.equal(db.calls, 0);
});

test('unknown, repeated and array-shaped query parameters are 400 over the wire too', async () => {
  for (const query of ['after[]=', 'LIMIT=5', 'limit=1&limit=2', 'after[]=1&after[]=2', 'foo=bar']) {
    const res = await send(req(`GET /users?${query} HTTP/1.1`));
    assert.equal(res.status, 400, query);
    assert.match(res.body.message, /^querystring\//);
  }
  assert.equal(db.calls, 0);
  const ok = await send(req('GET /users?limit=5&after=3 HTTP/1.1'));
  assert.equal(ok.status, 200);
});
