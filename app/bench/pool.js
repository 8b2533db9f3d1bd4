'use strict';

// The service's pool (same options, same session time zone) from the bench's DB_* environment, for the
// reference runs that must cost exactly what the service's own pool costs.
const mysql = require('mysql2/promise');
const { poolOptions, LIST_USERS_SQL } = require('../src/db');

function createServicePool(env = process.env) {
  const pool = mysql.createPool(
    poolOptions({
      host: env.DB_HOST,
      port: Number(env.DB_PORT),
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      database: env.DB_NAME,
      tls: false,
      poolSize: Number(env.DB_POOL_SIZE || 10),
    }),
  );
  pool.pool.on('connection', (conn) => conn.query("SET time_zone = '+00:00'"));
  return pool;
}

// The rows the service answers GET /users?limit=100 with, read once through the service's pool, for
// the references that serve them from memory.
async function readFirstPage(env = process.env) {
  const pool = createServicePool(env);
  try {
    const [rows] = await pool.execute(LIST_USERS_SQL, [0, '100']);
    return rows;
  } finally {
    await pool.end();
  }
}

module.exports = { createServicePool, readFirstPage };
