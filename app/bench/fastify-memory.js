'use strict';

// Reference only, not product code: the least a Fastify route with the service's schemas can cost
// for this response. The service's querystring and response schemas (validation and fast-json-stringify
// serialisation), no logger, and the first page's rows from memory instead of the database. Its CPU
// per request plus the driver's bounds what any Fastify service with these schemas can reach here.
const Fastify = require('fastify');
const { usersSchema } = require('../src/app');
const { readFirstPage } = require('./pool');

async function main() {
  const rows = await readFirstPage();
  const app = Fastify({ logger: false });
  const schema = { querystring: usersSchema.querystring, response: { 200: usersSchema.response[200] } };
  app.get('/users', { schema }, async (request) => rows.slice(0, request.query.limit));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
