'use strict';

const { randomUUID } = require('node:crypto');
const { STATUS_CODES } = require('node:http');
const Fastify = require('fastify');
const { DbUnavailableError } = require('./db');

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
const MAX_ID = 4294967295; // users.id is INT UNSIGNED

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

// JSON-schema coercion would read '1e2', '0x10', '+5' or ' 5' as integers; the API takes decimal digits only,
// so anything else is rejected (as a validation error, 400) before the schema coerces it.
const DECIMAL_DIGITS = /^[0-9]{1,20}$/;

function decimalQueryIntegers(request, reply, done) {
  for (const key of ['limit', 'after']) {
    const value = request.query[key];
    if (value !== undefined && !(typeof value === 'string' && DECIMAL_DIGITS.test(value))) {
      const err = new Error(`querystring/${key} must be integer`);
      err.statusCode = 400;
      err.validation = [{ instancePath: `/${key}`, message: 'must be integer' }];
      return done(err);
    }
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
    if (this.isLogDisabled(request)) return;
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

// Builds the Fastify app; never listens (server.js does). `db` needs listUsers(limit, after) and
// ping(); `lifecycle.closing` turns readiness to 503 once shutdown has begun; `credentials`
// (src/credentials.js) turns readiness, then liveness, to 503 while the database refuses the app
// user; `version` is reported in the x-app-version header and by /readyz.
function buildApp({
  db,
  logger,
  lifecycle = { closing: false },
  credentials = CREDENTIALS_UNMONITORED,
  version = 'unknown',
  fastifyOptions = {},
}) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger, logController: new AccessLog() } : { logger: false }),
    genReqId,
    requestIdHeader: false,
    // Shutdown is driven by server.js: requests that arrive on open connections are still served.
    return503OnClosing: false,
    ...fastifyOptions,
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-app-version', version);
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    if (err.validation) {
      return sendError(reply, 400, 'Bad Request', err.message);
    }
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
    return sendError(reply, statusCode, STATUS_CODES[statusCode], err.message);
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'Not Found', `no route for ${request.method} ${request.url}`));

  async function listUsers(request) {
    return db.listUsers(request.query.limit, request.query.after ?? 0);
  }
  const usersRoute = { schema: usersSchema, preValidation: decimalQueryIntegers };
  app.get('/users', usersRoute, listUsers);
  app.get('/', usersRoute, listUsers); // the tutorial served the list at the root

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
      await db.ping();
      return { status: 'ok', version };
    } catch (err) {
      request.log.warn({ err: { code: err.code, message: err.message } }, 'readiness check failed');
      return reply.code(503).send({ status: 'database unavailable', version });
    }
  });

  return app;
}

module.exports = { buildApp, usersSchema, MAX_LIMIT, DEFAULT_LIMIT };
