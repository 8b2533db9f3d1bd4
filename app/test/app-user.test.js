'use strict';

// The migrate container against the real MariaDB: the app user it creates holds exactly SELECT on
// the app schema, the admin (master) password may change between runs, and a running app never
// depends on the admin credentials.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const mysql = require('mysql2/promise');
const { APP_PRIVILEGES, identifiedClause, migrate, schemaPattern } = require('../src/migrate');
const {
  APP_PASSWORD, appEnv, appUser, connect, dbSettings, freshDatabase, migrateDatabase, migrateEnv, runNode, seedUsers, startServer,
} = require('./support/env');

const DB = 'grants_db';
const USER = appUser(DB);

// The test server's admin creates a second admin for this file, whose password the tests change
// (the shared admin stays as it is for the files running beside this one).
const ADMIN = 'rotating_admin';
let admin;

function asAppUser(database = DB, password = APP_PASSWORD) {
  const { host, port } = dbSettings();
  return mysql.createConnection({ host, port, user: USER, password, database });
}

async function setAdminPassword(password) {
  await admin.query('CREATE USER IF NOT EXISTS ?@\'127.0.0.1\' IDENTIFIED BY ?', [ADMIN, password]);
  await admin.query('ALTER USER ?@\'127.0.0.1\' IDENTIFIED BY ?', [ADMIN, password]);
  await admin.query('GRANT ALL PRIVILEGES ON *.* TO ?@\'127.0.0.1\' WITH GRANT OPTION', [ADMIN]);
}

before(async () => {
  admin = await connect();
  await freshDatabase(DB);
  // A schema whose name the GRANT's `_` wildcard would match if it were not escaped.
  await admin.query('DROP DATABASE IF EXISTS grantsXdb');
  await admin.query('CREATE DATABASE grantsXdb');
  await admin.query('CREATE TABLE grantsXdb.secrets (id INT PRIMARY KEY)');
  // The app user exists already, with far too much: migrate must take it all away.
  await admin.query('DROP USER IF EXISTS ?@\'%\'', [USER]);
  await admin.query('CREATE USER ?@\'%\' IDENTIFIED BY \'an-old-password\'', [USER]);
  await admin.query('GRANT PROCESS, CREATE USER ON *.* TO ?@\'%\' WITH GRANT OPTION', [USER]);
  await admin.query('GRANT ALL PRIVILEGES ON grantsXdb.* TO ?@\'%\'', [USER]);
  await admin.query(`GRANT SELECT, INSERT, CREATE, DROP, ALTER ON \`${DB}\`.* TO ?@'%' WITH GRANT OPTION`, [USER]);
  await setAdminPassword('master-1');
});

after(() => admin?.end());

test('after migrate, the app user holds exactly SELECT on its schema and nothing else', async () => {
  const { stdout } = await migrateDatabase(DB, { DB_ADMIN_USER: ADMIN, DB_ADMIN_PASSWORD: 'master-1', LOG_LEVEL: 'info' });
  const done = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.equal(done.msg, 'app user up to date');
  assert.ok(done.revoked >= 8, `the extra grants were revoked (${done.revoked})`);
  assert.deepEqual(APP_PRIVILEGES, ['SELECT']);

  const grantee = `'${USER}'@'%'`;
  const privileges = async (table, columns) => {
    const [rows] = await admin.query(`SELECT ${columns} FROM information_schema.${table} WHERE grantee = ? ORDER BY 1, 2`, [grantee]);
    return rows.map((r) => Object.values(r).join(' '));
  };
  assert.deepEqual(await privileges('user_privileges', 'privilege_type AS p, is_grantable AS g'), ['USAGE NO']);
  assert.deepEqual(await privileges('schema_privileges', 'table_schema AS s, privilege_type AS p, is_grantable AS g'), [
    `${schemaPattern(DB)} SELECT NO`,
  ]);
  assert.deepEqual(await privileges('table_privileges', 'table_schema AS s, privilege_type AS p'), []);

  const app = await asAppUser();
  try {
    const seeder = await connect(DB);
    await seedUsers(seeder, 2);
    await seeder.end();
    const [[{ n }]] = await app.query('SELECT COUNT(*) AS n FROM users');
    assert.equal(n, 2, 'the app can read its table');
    const denied = [
      'CREATE TABLE t (id INT)',
      'DROP TABLE users',
      'ALTER TABLE users ADD COLUMN x INT',
      'CREATE INDEX users_name ON users (name)',
      `GRANT SELECT ON \`${DB}\`.* TO '${USER}'@'%'`,
      'CREATE USER \'intruder\'@\'%\' IDENTIFIED BY \'x\'',
      "INSERT INTO users (name, email) VALUES ('x', 'x@example.test')",
      'DELETE FROM users',
      'SELECT * FROM grantsXdb.secrets',
      'SELECT * FROM mysql.user',
    ];
    for (const sql of denied) {
      await assert.rejects(app.query(sql), (err) => /denied/i.test(err.message) && /^ER_/.test(err.code), sql);
    }
  } finally {
    await app.end();
  }
});

test('the iam clause is the RDS plugin, in one place', () => {
  assert.deepEqual(identifiedClause({ auth: 'iam' }), { sql: "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'", values: [] });
  assert.deepEqual(identifiedClause({ auth: 'password', password: 'pw' }), { sql: 'IDENTIFIED BY ?', values: ['pw'] });
});

test('a changed admin (master) password: the old one fails with a clear message, the next run takes the new one', async () => {
  await setAdminPassword('master-2'); // what a rotation does
  const stale = await runNode(['src/migrate.js'], migrateEnv(DB, { DB_ADMIN_USER: ADMIN, DB_ADMIN_PASSWORD: 'master-1' })).exited;
  assert.equal(stale.code, 1);
  const line = JSON.parse(stale.stdout.trim());
  assert.equal(line.level, 60);
  assert.equal(
    line.msg,
    `migrate failed: could not connect to ${dbSettings().host}:${dbSettings().port} as DB_ADMIN_USER ${ADMIN}: ` +
      `Access denied for user '${ADMIN}'@'127.0.0.1' (using password: YES)`,
  );
  assert.equal(line.err.code, 'ER_ACCESS_DENIED_ERROR');
  assert.ok(!(stale.stdout + stale.stderr).includes('master-1'), 'the password is never printed');

  const fresh = await migrateDatabase(DB, { DB_ADMIN_USER: ADMIN, DB_ADMIN_PASSWORD: 'master-2' });
  assert.equal(fresh.code, 0);
});

test('an admin without GRANT rights fails on the app user step, by name', async () => {
  await admin.query('CREATE USER IF NOT EXISTS \'weak_admin\'@\'127.0.0.1\' IDENTIFIED BY \'weak\'');
  await admin.query(`GRANT ALL PRIVILEGES ON \`${DB}\`.* TO 'weak_admin'@'127.0.0.1'`);
  const run = await runNode(['src/migrate.js'], migrateEnv(DB, { DB_ADMIN_USER: 'weak_admin', DB_ADMIN_PASSWORD: 'weak' })).exited;
  assert.equal(run.code, 1);
  assert.match(JSON.parse(run.stdout.trim()).msg, new RegExp(`^migrate failed: could not create or update the app user ${USER}: `));
});

test('a running app is unaffected by a change of the admin (master) password', async () => {
  const server = await startServer(appEnv(DB, { DB_POOL_SIZE: '2' }));
  try {
    const env = appEnv(DB);
    assert.ok(!Object.keys(env).some((k) => k.startsWith('DB_ADMIN')), 'the app container gets no admin credentials');
    assert.equal((await fetch(`${server.base}/users`)).status, 200);
    await setAdminPassword('master-3');
    // New connections too: both pool slots busy at once forces a second login as the app user.
    const [a, b] = await Promise.all([fetch(`${server.base}/users?limit=1`), fetch(`${server.base}/users?limit=2`)]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});

test('with DB_TLS on, the app user must use TLS (REQUIRE SSL); with it off, REQUIRE NONE', async () => {
  const database = 'tls_db';
  await freshDatabase(database);
  const pool = mysql.createPool({ ...dbSettings(), database, connectionLimit: 1 });
  const user = { name: appUser(database), auth: 'password', password: APP_PASSWORD };
  const sslType = async () => (await admin.query('SELECT ssl_type AS t FROM mysql.user WHERE user = ?', [user.name]))[0][0].t;
  const { host, port } = dbSettings();
  const login = () => mysql.createConnection({ host, port, user: user.name, password: APP_PASSWORD, database }).then((c) => c.end());
  try {
    await migrate(pool, { database, appUser: user, tls: true });
    assert.equal(await sslType(), 'ANY');
    await assert.rejects(login(), { code: 'ER_ACCESS_DENIED_ERROR' }, 'a login without TLS is refused');
    await migrate(pool, { database, appUser: user, tls: false });
    assert.equal(await sslType(), '');
    await login();
  } finally {
    await pool.end();
  }
});
