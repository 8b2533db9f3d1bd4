'use strict';

// A partial connection limit: another client holds most of the server's max_connections, so the app
// can open only half its pool. Requests wait for the connections that work (new attempts back off)
// instead of failing with "Too many connections"; readiness stays 200 while it can serve, and goes
// 503 when no connection works at all.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const mysql = require('mysql2/promise');
const { APP_DIR, appEnv, appUser, connect, dbSettings, freshDatabase, migrateDatabase, seedUsers, startServer, waitFor } = require('./support/env');

const DB = 'partial';
const POOL_SIZE = 8;
const APP_SLOTS = 4; // half the pool
const MAX_CONNECTIONS = 20;

// This file gets its own MariaDB: it fills max_connections, which would starve the other files.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-connlimit-'));
const mariadb = (cmd) => execFileSync('bash', [path.join(APP_DIR, 'scripts/mariadb.sh'), cmd, dir], { encoding: 'utf8' }).trim();
let port;
let admin; // the admin's own connection, opened before the limit is reached
const holders = [];

// Another client: a user with no privileges, holding connections open.
const holder = () => mysql.createConnection({ host: '127.0.0.1', port: Number(port), user: 'holder', password: 'holder-pw' });

// Opens holder connections until the server refuses one; returns how many it opened.
async function fillConnections() {
  let opened = 0;
  for (;;) {
    try {
      holders.push(await holder());
      opened += 1;
    } catch (err) {
      assert.equal(err.code, 'ER_CON_COUNT_ERROR', `refused as "Too many connections", got ${err.code}`);
      return opened;
    }
  }
}

before(async () => {
  port = mariadb('start');
  await freshDatabase(DB, port);
  await migrateDatabase(DB, { DB_PORT: port });
  const conn = await connect(DB, port);
  await seedUsers(conn, 100);
  await conn.end();
  admin = await mysql.createConnection(dbSettings(port));
  await admin.query("CREATE USER IF NOT EXISTS 'holder'@'%' IDENTIFIED BY 'holder-pw'");
  await admin.query(`SET GLOBAL max_connections = ${MAX_CONNECTIONS}`);
});

after(async () => {
  await Promise.all(holders.splice(0).map((c) => c.end().catch(() => {})));
  await admin?.end().catch(() => {});
  mariadb('stop');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('with half its pool available, non-2xx stays <= 1% under a bounded load, and readiness follows the connections that work', async () => {
  // Hold every connection, then hand back APP_SLOTS of them: the app can open that many and no more.
  await fillConnections();
  await Promise.all(holders.splice(0, APP_SLOTS).map((c) => c.end()));
  const server = await startServer(appEnv(DB, { DB_PORT: port, DB_POOL_SIZE: String(POOL_SIZE) }));
  try {
    // A bounded load: 16 keep-alive clients (twice the pool) for 2 s.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = {};
    let readyDuring = 0;
    const until = Date.now() + 2000;
    const get = (p) => new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port: server.port, path: p, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', (err) => resolve(err.code));
    });
    const client = async () => {
      while (Date.now() < until) {
        const s = await get('/users?limit=20');
        statuses[s] = (statuses[s] || 0) + 1;
      }
    };
    const probe = async () => {
      while (Date.now() < until) {
        if ((await get('/readyz')) === 200) readyDuring += 1;
        else readyDuring = -Infinity;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    await Promise.all([...Array.from({ length: 16 }, client), probe()]);
    agent.destroy();
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const failed = total - (statuses[200] || 0);
    assert.ok(total > 200, `load ran (${JSON.stringify(statuses)})`);
    assert.ok(failed / total <= 0.01, `non-2xx ${failed} of ${total} (${JSON.stringify(statuses)})`);
    assert.ok(readyDuring > 0, 'readyz stayed 200 while it could serve');
    // The limit was really hit: new connections were refused, and the app backed off and logged it.
    assert.match(server.output().stdout, /could not open a database connection.*ER_CON_COUNT_ERROR|ER_CON_COUNT_ERROR.*could not open a database connection/);
    const [[{ n }]] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?', [appUser(DB)]);
    assert.ok(n <= APP_SLOTS, `the app holds ${n} connections`);

    // No working connection at all: the app's connections are killed and another client takes the slots.
    const [ids] = await admin.query('SELECT id FROM information_schema.processlist WHERE user = ?', [appUser(DB)]);
    for (const { id } of ids) await admin.query(`KILL ${Number(id)}`);
    await waitFor(async () => {
      await fillConnections();
      const res = await fetch(`${server.base}/readyz`);
      return res.status === 503 && (await res.json()).status === 'database unavailable';
    }, { what: 'readyz 503 with no working connection' });
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200, 'liveness does not depend on the database');

    // The other client lets go: the app connects again by itself.
    await Promise.all(holders.splice(0).map((c) => c.end()));
    await waitFor(async () => (await fetch(`${server.base}/readyz`)).status === 200, { what: 'readyz 200 again' });
    assert.equal((await fetch(`${server.base}/users?limit=3`)).status, 200);
  } finally {
    await server.stop();
  }
});
