'use strict';

// Reference only, not product code: the Fastify floor on this machine. The least a Fastify route
// can do for GET /users: the service's query schema, response schema, SQL and pool settings,
// answered with a bare pool.execute; no logger, no request-id hook, no deadlines, no error
// handling. The service's req/s and CPU per request against this row show what the service's
// own code costs, apart from HTTP and Fastify themselves.
const Fastify = require('fastify');
const { usersSchema } = require('../src/app');
const { LIST_USERS_SQL } = require('../src/db');
const { createServicePool } = require('./pool');

const pool = createServicePool();

const app = Fastify({ logger: false });
app.get('/users', { schema: { querystring: usersSchema.querystring, response: { 200: usersSchema.response[200] } } }, async (request) => {
  const [rows] = await pool.execute(LIST_USERS_SQL, [request.query.after ?? 0, String(request.query.limit)]);
  return rows;
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => pool.end()).then(() => process.exit(0)));
