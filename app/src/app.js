'use strict';

const { randomUUID } = require('node:crypto');
const http = require('node:http');
const Fastify = require('fastify');
const { DbUnavailableError, OverloadedError } = require('./db');

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
const MAX_ID = 4294967295; // users.id is INT UNSIGNED
const QUERY_KEYS = ['limit', 'after'];
// Shed requests are counted and logged once per SHED_LOG_INTERVAL_MS, not a line each.
const SHED_LOG_INTERVAL_MS = 10000;
// The one body every shed request gets, built once; Retry-After spreads the retries a little.
const OVERLOADED_BODY = JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'overloaded, retry later' });
const OVERLOADED_BODY_BYTES = Buffer.from(OVERLOADED_BODY);
const OVERLOADED_RETRY_AFTER_S = '1';
// The routes that read the database, and so the only ones shed under overload.
const USERS_PATHS = ['/users', '/'];

function isUsersPath(url) {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return USERS_PATHS.includes(path);
}

const errorBody = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
  required: ['statusCode', 'error', 'message'],
};

const statusBody = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
};

// /readyz also names the release, so a deploy's smoke test can wait for the version it deployed.
const readyBody = {
  type: 'object',
  properties: { status: { type: 'string' }, version: { type: 'string' } },
  required: ['status', 'version'],
};

// Without a credential monitor (tests that build the app alone) the credentials count as good.
const CREDENTIALS_UNMONITORED = Object.freeze({ accepted: true, live: true });

const usersSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
      after: { type: 'integer', minimum: 1, maximum: MAX_ID },
    },
  },
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          name: { type: 'string' },
          email: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
        },
        required: ['id', 'name', 'email', 'created_at'],
      },
    },
    '4xx': errorBody,
    '5xx': errorBody,
  },
};

// The query string is strict: only `limit` and `after`, each at most once, as decimal digits.
// An unknown key (`LIMIT`, `after[]`), a repeated one or a non-decimal value is a 400, never ignored:
// JSON-schema coercion alone would drop unknown keys and read '1e2', '0x10', '+5' or ' 5' as integers.
const DECIMAL_DIGITS = /^[0-9]{1,20}$/;

function queryError(key, message) {
  const err = new Error(`querystring/${key} ${message}`);
  err.statusCode = 400;
  err.validation = [{ instancePath: `/${key}`, message }];
  return err;
}

function strictQuery(request, reply, done) {
  for (const key of Object.keys(request.query)) {
    if (!QUERY_KEYS.includes(key)) return done(queryError(key, `is not allowed (allowed: ${QUERY_KEYS.join(', ')})`));
    const value = request.query[key];
    if (typeof value !== 'string') return done(queryError(key, 'must appear once'));
    if (!DECIMAL_DIGITS.test(value)) return done(queryError(key, 'must be integer'));
  }
  return done();
}

// Accept a caller's (or the load balancer's) request id when it is short and plain, else make one.
function genReqId(req) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

// One access line per request: Fastify's 'incoming request' line is dropped and its completion
// line carries the method and URL too. Probes log at warn (route logLevel), so they write none.
class AccessLog extends Fastify.LogController {
  incomingRequest() {}

  requestCompleted(error, request, reply) {
    if (request.shed || this.isLogDisabled(request)) return; // shed requests are counted instead

    if (!error && !reply.log.isLevelEnabled('info')) return;
    const line = {
      req: { method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

function sendError(reply, statusCode, error, message) {
  return reply.code(statusCode).send({ statusCode, error, message });
}

// The request line must be origin-form (`/path?query`) on HTTP/1.0 or 1.1: `GET *`, absolute-form
// (`GET http://host/path`) and other versions are refused before routing.
function badRequestLine(raw) {
  if (raw.url.charCodeAt(0) !== 47 /* / */) return `request target must start with / (got ${JSON.stringify(raw.url.slice(0, 64))})`;
  if (raw.httpVersion !== '1.1' && raw.httpVersion !== '1.0') return `HTTP version ${raw.httpVersion} is not supported`;
  return null;
}

// Errors Node's HTTP parser raises before a request exists (bad request line, header overflow,
// timeouts): the same JSON body as every other error, a request id, one log line, then the
// connection is closed (its byte stream can no longer be trusted).
function clientErrorHandler(logger) {
  return function onClientError(err, socket) {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let statusCode = 400;
    if (err.code === 'HPE_HEADER_OVERFLOW') statusCode = 431;
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') statusCode = 408;
    const error = http.STATUS_CODES[statusCode];
    const message = statusCode === 400 ? `malformed request (${err.code ?? 'parse error'})` : error;
    const id = randomUUID();
    logger?.warn({ reqId: id, res: { statusCode }, err: { code: err.code, message: err.message } }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify({ statusCode, error, message });
      socket.write(`HTTP/1.1 ${statusCode} ${error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

// Builds the Fastify app; never listens (server.js does). `db` needs listUsers(limit, after),
// checkReady() and overloaded(); `lifecycle.closing` turns readiness to 503 once shutdown has
// begun; `credentials` (src/credentials.js) turns readiness, then liveness, to 503 while the
// database refuses the app user; `version` is reported in the x-app-version header and by /readyz.
function buildApp({
  db,
  logger,
  lifecycle = { closing: false },
  credentials = CREDENTIALS_UNMONITORED,
  version = 'unknown',
  fastifyOptions = {},
}) {
  let shedRaw = () => false; // set below, once `db` and the counters exist
  const app = Fastify({
    // Fastify's own HTTP/1.1 server setup, with the overload check in front of its handler.
    // optimizeEmptyRequests (Node >= 24.12): a request without a body (no Content-Length or
    // Transfer-Encoding) starts as an already-ended stream, so Node skips its 'data', 'end' and
    // 'close' events; no route reads a body or listens to those events of the request.
    serverFactory(handler, options) {
      const server = http.createServer({ optimizeEmptyRequests: true, ...options.http }, (req, res) => {
        if (!shedRaw(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = options.keepAliveTimeout;
      server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout);
      return server;
    },
    ...(logger ? { loggerInstance: logger, logController: new AccessLog() } : { logger: false }),
    genReqId,
    requestIdHeader: false,
    // Shutdown is driven by server.js: requests that arrive on open connections are still served.
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(logger),
    // Router-level errors (a bad percent-encoding in the path) get the same shape, logged.
    frameworkErrors(err, request, reply) {
      request.log.warn({ err: { code: err.code, message: err.message } }, 'bad request');
      reply.header('x-request-id', request.id);
      reply.header('x-app-version', version);
      return sendError(reply, 400, 'Bad Request', err.message);
    },
    ...fastifyOptions,
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-app-version', version);
    const bad = badRequestLine(request.raw);
    if (bad !== null) {
      request.log.warn({ req: { method: request.method, url: request.raw.url, httpVersion: request.raw.httpVersion } }, 'bad request line');
      return sendError(reply, 400, 'Bad Request', bad);
    }
    return done();
  });

  // Overload: a users request that would find the wait queue full is answered at once with the
  // precomputed 503, and counted; the count is logged once per SHED_LOG_INTERVAL_MS.
  let shed = 0;
  // The check runs on the raw request, before Fastify builds its request and reply and runs the
  // hooks. What a refusal still costs is Node's HTTP server (request and response objects, header
  // checks), about a fifth of a served request; the check itself is under 1 % (docs/benchmark.md).
  // The headers are one flat list built once; only the request id changes (writeHead copies the
  // list into the header block at once, so reusing it is safe). No Date: HTTP allows a 5xx without.
  const shedHeaders = [
    'content-type', 'application/json; charset=utf-8',
    'content-length', String(OVERLOADED_BODY_BYTES.length),
    'retry-after', OVERLOADED_RETRY_AFTER_S,
    'x-app-version', version,
    'x-request-id', '',
  ];
  const shedIdAt = shedHeaders.length - 1;
  shedRaw = (req, res) => {
    if (!db.overloaded() || (req.method !== 'GET' && req.method !== 'HEAD') || !isUsersPath(req.url)) return false;
    shed += 1;
    shedHeaders[shedIdAt] = randomUUID();
    res.sendDate = false;
    res.writeHead(503, shedHeaders);
    res.end(req.method === 'HEAD' ? undefined : OVERLOADED_BODY_BYTES);
    return true;
  };
  let shedSince = performance.now();
  function logShed() {
    const now = performance.now();
    if (shed > 0) app.log.warn({ shed, intervalMs: Math.round(now - shedSince) }, 'overloaded: requests shed with 503');
    shed = 0;
    shedSince = now;
  }
  const shedLog = setInterval(logShed, SHED_LOG_INTERVAL_MS);
  shedLog.unref();
  app.addHook('onClose', async () => {
    clearInterval(shedLog);
    logShed();
  });

  // A statement that found the queue full after all (a race with the check in shedRaw).
  function sendOverloaded(request, reply) {
    request.shed = true;
    shed += 1;
    return reply
      .code(503)
      .header('retry-after', OVERLOADED_RETRY_AFTER_S)
      .header('content-type', 'application/json; charset=utf-8')
      .send(OVERLOADED_BODY);
  }

  app.setErrorHandler((err, request, reply) => {
    if (err.validation) {
      return sendError(reply, 400, 'Bad Request', err.message);
    }
    if (err instanceof OverloadedError) return sendOverloaded(request, reply);
    if (err instanceof DbUnavailableError) {
      request.log.warn({ err: { code: err.code, message: err.message } }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendError(reply, 503, 'Service Unavailable', 'database unavailable');
    }
    const statusCode = err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (statusCode === 500) {
      request.log.error({ err }, 'request failed');
      return sendError(reply, 500, 'Internal Server Error', 'internal error');
    }
    if (statusCode === 400 || statusCode === 431) request.log.warn({ err: { code: err.code, message: err.message } }, 'bad request');
    return sendError(reply, statusCode, http.STATUS_CODES[statusCode], err.message);
  });

  // A known path with another method is a 405 naming the allowed ones; anything else a 404.
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?', 1)[0];
    if (app.hasRoute({ method: 'GET', url })) {
      reply.header('allow', 'GET, HEAD');
      return sendError(reply, 405, 'Method Not Allowed', `${request.method} is not allowed on ${url} (allowed: GET, HEAD)`);
    }
    return sendError(reply, 404, 'Not Found', `no route for ${request.method} ${request.url}`);
  });

  async function listUsers(request) {
    return db.listUsers(request.query.limit, request.query.after ?? 0);
  }
  const usersRoute = { schema: usersSchema, preValidation: strictQuery };
  for (const path of USERS_PATHS) app.get(path, usersRoute, listUsers); // '/': the tutorial served the list at the root

  const probe = (body) => ({ logLevel: 'warn', schema: { response: { 200: body, 503: body } } });

  // Liveness never touches the database; it fails only when the credential monitor has seen the
  // app user refused for long enough that a new task (which re-provisions the user) is the cure.
  app.get('/healthz', probe(statusBody), async (request, reply) => {
    if (!credentials.live) return reply.code(503).send({ status: 'database credentials rejected' });
    return { status: 'ok' };
  });

  app.get('/readyz', probe(readyBody), async (request, reply) => {
    if (lifecycle.closing) return reply.code(503).send({ status: 'shutting down', version });
    if (!credentials.accepted) return reply.code(503).send({ status: 'database credentials rejected', version });
    try {
      await db.checkReady();
      return { status: 'ok', version };
    } catch (err) {
      request.log.warn({ err: { code: err.code, message: err.message } }, 'readiness check failed');
      // No connection at all, or a connection that cannot read the users table (missing table, grant).
      const status = err instanceof DbUnavailableError ? 'database unavailable' : 'users table unavailable';
      return reply.code(503).send({ status, version });
    }
  });

  return app;
}

module.exports = { buildApp, usersSchema, MAX_LIMIT, DEFAULT_LIMIT };
