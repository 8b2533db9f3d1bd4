'use strict';

// The service's pool (same options, same session time zone) from the bench's DB_* environment, for the
// reference runs that must cost exactly what the service's own pool costs.
const mysql = require('mysql2/promise');
const { poolOptions } = require('../src/db');

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

module.exports = { createServicePool };
