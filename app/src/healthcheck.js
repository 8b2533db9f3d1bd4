'use strict';

// Container health check (Dockerfile HEALTHCHECK and the ECS task definition):
// exit 0 when GET /healthz answers 200 within the timeout, else 1. No shell or curl needed.
const http = require('node:http');
const { loadPort } = require('./config');

const TIMEOUT_MS = 3000;

const problems = [];
const port = loadPort(process.env, problems);
if (problems.length > 0) {
  process.stderr.write(`healthcheck: ${problems.join('; ')}\n`);
  process.exit(1);
}

const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: TIMEOUT_MS }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
req.on('error', (err) => {
  process.stderr.write(`healthcheck: ${err.message}\n`);
  process.exit(1);
});
