'use strict';

const MIGRATIONS = require('./migrations');

const { createHash } = require('node:crypto');

const LOCK_WAIT_SECONDS = 60;

// GET_LOCK names are at most 64 characters on MySQL, and DB_NAME may be 64 itself: the lock is named
// by a hash of the database name (the same name for every task of one database), 61 characters.
function migrationLockName(database) {
  return `migrate:${createHash('sha256').update(database).digest('hex').slice(0, 52)}`;
}

const CREATE_LEDGER_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id VARCHAR(191) NOT NULL PRIMARY KEY,
  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

// What the app's statements need on its schema (src/db.js: LIST_USERS_SQL), and nothing more: no
// DDL, no GRANT OPTION, nothing outside the schema. A migration that gives the app new work
// changes this list in the same release.
const APP_PRIVILEGES = Object.freeze(['SELECT']);

// The app user's host part: tasks connect from addresses that change with every task.
const APP_HOST = '%';

// How the app user authenticates. The iam clause is the one MySQL-only statement in the project
// (RDS for MySQL's plugin; MariaDB, the test engine, has no such plugin), so it lives here alone.
function identifiedClause(appUser) {
  if (appUser.auth === 'iam') return { sql: "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'", values: [] };
  return { sql: 'IDENTIFIED BY ?', values: [appUser.password] };
}

// A database name as a GRANT's schema pattern: `_` and `%` are wildcards there, so they are escaped
// and the grant covers this schema only.
function schemaPattern(database) {
  return database.replace(/[_%]/g, (c) => `\\${c}`);
}

const PRIVILEGE_NAME = /^[A-Z][A-Z_ ]*$/;
const quoteName = (name) => `\`${name.replace(/`/g, '``')}\``;

// The statements that take away whatever the app user holds beyond APP_PRIVILEGES on the schema:
// read from information_schema (the same tables on MySQL and MariaDB), so the app's own grant is
// never revoked and a running app never loses access while a new task migrates.
async function extraGrants(conn, name, database) {
  const grantee = `'${name}'@'${APP_HOST}'`;
  const pattern = schemaPattern(database);
  const statements = [];
  const revoke = (what, on) => statements.push({ sql: `REVOKE ${what} ON ${on} FROM ?@?`, values: [name, APP_HOST] });
  // information_schema returns upper-case column names on MySQL 8, hence the aliases.
  const levels = [
    ['user_privileges', [], () => '*.*'],
    ['schema_privileges', ['table_schema'], (r) => `${quoteName(r.table_schema)}.*`],
    ['table_privileges', ['table_schema', 'table_name'], (r) => `${quoteName(r.table_schema)}.${quoteName(r.table_name)}`],
    ['column_privileges', ['table_schema', 'table_name', 'column_name'], (r) => `${quoteName(r.table_schema)}.${quoteName(r.table_name)}`],
  ];
  for (const [table, columns, on] of levels) {
    const selected = [...columns, 'privilege_type', 'is_grantable'].map((c) => `${c} AS ${c}`).join(', ');
    const [rows] = await conn.query(`SELECT ${selected} FROM information_schema.${table} WHERE grantee = ?`, [grantee]);
    for (const row of rows) {
      const privilege = row.privilege_type;
      if (!PRIVILEGE_NAME.test(privilege)) throw new Error(`unexpected privilege name ${JSON.stringify(privilege)} for ${grantee}`);
      if (privilege === 'USAGE') continue; // "no privileges"
      const wanted = table === 'schema_privileges' && row.table_schema === pattern && APP_PRIVILEGES.includes(privilege);
      if (wanted) continue;
      revoke(table === 'column_privileges' ? `${privilege} (${quoteName(row.column_name)})` : privilege, on(row));
    }
    for (const target of new Set(rows.filter((r) => r.is_grantable === 'YES').map(on))) revoke('GRANT OPTION', target);
  }
  return statements;
}

// Creates or updates the app user: its authentication, TLS requirement and exactly APP_PRIVILEGES
// on the schema. Safe to run on every task start.
async function provisionAppUser(conn, { database, appUser, tls, logger }) {
  const identified = identifiedClause(appUser);
  // With TLS on (always on AWS) the server refuses the app user any connection without it.
  const requirement = tls ? 'REQUIRE SSL' : 'REQUIRE NONE';
  const account = [appUser.name, APP_HOST];
  await conn.query(`CREATE USER IF NOT EXISTS ?@? ${identified.sql} ${requirement}`, [...account, ...identified.values]);
  await conn.query(`ALTER USER ?@? ${identified.sql} ${requirement}`, [...account, ...identified.values]);
  await conn.query(`GRANT ${APP_PRIVILEGES.join(', ')} ON ${quoteName(schemaPattern(database))}.* TO ?@?`, account);
  const extras = await extraGrants(conn, appUser.name, database);
  for (const { sql, values } of extras) await conn.query(sql, values);
  logger?.info(
    { user: appUser.name, auth: appUser.auth, tls, privileges: APP_PRIVILEGES, revoked: extras.length },
    'app user up to date',
  );
}

// Applies the pending migrations once, even when several tasks start together: a named lock
// (GET_LOCK, per database) serialises them, and the ledger table records what is done. With
// `appUser`, the app user is then created or updated under the same lock.
async function migrate(pool, { database, logger, migrations = MIGRATIONS, appUser, tls = true } = {}) {
  const lockName = migrationLockName(database);
  const conn = await pool.getConnection();
  try {
    const [[{ locked }]] = await conn.query('SELECT GET_LOCK(?, ?) AS locked', [lockName, LOCK_WAIT_SECONDS]);
    if (locked !== 1) throw new Error(`could not take the migration lock ${lockName} within ${LOCK_WAIT_SECONDS} s`);
    try {
      await conn.query(CREATE_LEDGER_SQL);
      const [rows] = await conn.query('SELECT id FROM schema_migrations');
      const done = new Set(rows.map((row) => row.id));
      const applied = [];
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        try {
          for (const sql of migration.statements) await conn.query(sql);
        } catch (err) {
          throw stepError(`could not apply migration ${migration.id}`, err);
        }
        await conn.query('INSERT INTO schema_migrations (id) VALUES (?)', [migration.id]);
        applied.push(migration.id);
      }
      logger?.info({ applied, pending: 0 }, applied.length ? 'migrations applied' : 'schema up to date');
      if (appUser) {
        try {
          await provisionAppUser(conn, { database, appUser, tls, logger });
        } catch (err) {
          throw stepError(`could not create or update the app user ${appUser.name}`, err);
        }
      }
      return applied;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    conn.release();
  }
}

// An error whose message says which step failed, with the server's own message (which never
// contains a password) after it.
function stepError(what, err) {
  const wrapped = new Error(`${what}: ${err.message}`, { cause: err });
  wrapped.code = err.code;
  return wrapped;
}

// `node src/migrate.js` (npm run migrate): the migrate container. Connects as the admin (the RDS
// master user, from the managed secret), applies the migrations, creates or updates the app user,
// and exits 0; on any failure it logs one fatal line naming the step and exits 1.
async function main() {
  const mysql = require('mysql2/promise');
  const { loadMigrateConfig, ConfigError } = require('./config');
  const { poolOptions } = require('./db');
  const { createLogger } = require('./logger');
  let config;
  try {
    config = loadMigrateConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const { db, admin, appUser } = config;
  const logger = createLogger(config.logLevel).child({ task: 'migrate' });
  const pool = mysql.createPool(
    poolOptions({ ...db, user: admin.user, auth: 'password', password: admin.password, poolSize: 1 }),
  );
  try {
    try {
      (await pool.getConnection()).release();
    } catch (err) {
      throw stepError(`could not connect to ${db.host}:${db.port} as DB_ADMIN_USER ${admin.user}`, err);
    }
    await migrate(pool, { database: db.database, logger, appUser, tls: db.tls });
  } catch (err) {
    logger.fatal({ err: { code: err.code, message: err.message } }, `migrate failed: ${err.message}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) main();

module.exports = { migrate, migrationLockName, provisionAppUser, identifiedClause, schemaPattern, APP_PRIVILEGES, APP_HOST };
