'use strict';

// Reference only, not product code: the least any Node HTTP service can cost for this response.
// Plain node:http, no framework and no database work per request: every request gets the bytes of
// the service's first page, read once at start. Its CPU per request plus the driver's bounds what
// any Node service can reach on this machine.
const http = require('node:http');
const { readFirstPage } = require('./pool');

async function main() {
  const body = Buffer.from(JSON.stringify(await readFirstPage()));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };
  const server = http.createServer((req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 65000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
