'use strict';

const MIGRATIONS = require('./migrations');

const LOCK_WAIT_SECONDS = 60;

const CREATE_LEDGER_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id VARCHAR(191) NOT NULL PRIMARY KEY,
  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

// Applies the pending migrations once, even when several tasks start together: a named lock
// (GET_LOCK, per database) serialises them, and the ledger table records what is done.
async function migrate(pool, { database, logger, migrations = MIGRATIONS } = {}) {
  const lockName = `${database}.schema_migrations`;
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
        for (const sql of migration.statements) await conn.query(sql);
        await conn.query('INSERT INTO schema_migrations (id) VALUES (?)', [migration.id]);
        applied.push(migration.id);
      }
      logger?.info({ applied, pending: 0 }, applied.length ? 'migrations applied' : 'schema up to date');
      return applied;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    conn.release();
  }
}

// `node src/migrate.js` (npm run migrate): the one-off ECS task. Exit 0 when the schema is current.
async function main() {
  const { loadConfig, ConfigError } = require('./config');
  const { createDb } = require('./db');
  const { createLogger } = require('./logger');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger(config.logLevel).child({ task: 'migrate' });
  const db = createDb({ ...config.db, poolSize: 1 }, { logger });
  try {
    await migrate(db.pool, { database: config.db.database, logger });
  } catch (err) {
    logger.fatal({ err }, 'migration failed');
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

if (require.main === module) main();

module.exports = { migrate };
