'use strict';

// Reference only, not product code: the Fastify floor on this machine. The least a Fastify route
// can do for GET /users: the service's query schema, response schema, SQL and pool settings,
// answered with a bare pool.execute; no logger, no request-id hook, no deadlines, no error
// handling. The service's req/s and CPU per request against this row show what the service's
// own code costs, apart from HTTP and Fastify themselves.
const Fastify = require('fastify');
const mysql = require('mysql2/promise');
const { usersSchema } = require('../src/app');
const { LIST_USERS_SQL, poolOptions } = require('../src/db');

const pool = mysql.createPool(
  poolOptions({
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT),
    user: process.env.DB_USER,
    password: process.env.DB_PASSWORD,
    database: process.env.DB_NAME,
    tls: false,
    poolSize: Number(process.env.DB_POOL_SIZE || 10),
  }),
);
pool.pool.on('connection', (conn) => conn.query("SET time_zone = '+00:00'"));

const app = Fastify({ logger: false });
app.get('/users', { schema: { querystring: usersSchema.querystring, response: { 200: usersSchema.response[200] } } }, async (request) => {
  const [rows] = await pool.execute(LIST_USERS_SQL, [request.query.after ?? 0, String(request.query.limit)]);
  return rows;
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => pool.end()).then(() => process.exit(0)));
