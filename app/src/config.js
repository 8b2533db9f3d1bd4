'use strict';

const net = require('node:net');

// The environment contracts, read once. ENV_KEYS lists every key the service container
// (src/server.js) reads; MIGRATE_ENV_KEYS every key the migrate container (src/migrate.js) reads.
// Both are checked from the other side: test/compose.test.js holds compose.yaml to them, and the
// repository's tests/components/test_app_contract.py holds each stack's ECS task definition to them.
// That test also asks this module for the shutdown bound the task's environment gives (the stop
// timeout must exceed it plus the deregistration delay), asks src/app.js whether the load balancer's
// and the container's health-check paths are routes it serves, and checks that the Dockerfile puts
// the health-check script where the task's command looks for it.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DB_AUTH_MODES = ['iam', 'password'];

const ENV_KEYS = Object.freeze([
  'PORT',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_AUTH',
  'DB_PASSWORD',
  'AWS_REGION',
  'DB_NAME',
  'DB_TLS',
  'DB_POOL_SIZE',
  'LOG_LEVEL',
  'SHUTDOWN_TIMEOUT_MS',
  'APP_VERSION',
]);

const MIGRATE_ENV_KEYS = Object.freeze([
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_TLS',
  'LOG_LEVEL',
  'DB_ADMIN_USER',
  'DB_ADMIN_PASSWORD',
  'DB_APP_USER',
  'DB_AUTH',
  'DB_APP_PASSWORD',
]);

class ConfigError extends Error {
  constructor(problems) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function integer(env, key, fallback, min, max, problems) {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (/^\d+$/.test(raw)) {
    const value = Number(raw);
    if (value >= min && value <= max) return value;
  }
  problems.push(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  return fallback;
}

function boolean(env, key, fallback, problems) {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  problems.push(`${key} must be one of true, false, 1, 0 (got ${JSON.stringify(raw)})`);
  return fallback;
}

function required(env, key, problems, why = '') {
  const raw = env[key];
  if (raw === undefined || raw === '') {
    problems.push(`${key} is required${why}`);
    return '';
  }
  return raw;
}

// A value that matches `pattern` (described by `allowed`), or a problem naming the key.
function matching(env, key, pattern, allowed, problems) {
  const raw = required(env, key, problems);
  if (raw && !pattern.test(raw)) problems.push(`${key} must be ${allowed} (got ${JSON.stringify(raw)})`);
  return raw;
}

// MySQL user names: the migrate container puts them into CREATE USER and GRANT statements, so
// they are kept to a plain, portable form (MySQL allows 32 characters).
const USER_NAME = /^[A-Za-z0-9_]{1,32}$/;
const USER_NAME_ALLOWED = '1-32 characters of A-Z, a-z, 0-9 or _';

// DB_AUTH: how the app user authenticates. Required, so a task definition cannot fall back to a
// mode by accident.
function dbAuth(env, problems) {
  const raw = env.DB_AUTH;
  if (raw === undefined || raw === '') {
    problems.push(`DB_AUTH is required: one of ${DB_AUTH_MODES.join(', ')}`);
    return '';
  }
  if (!DB_AUTH_MODES.includes(raw)) {
    problems.push(`DB_AUTH must be one of ${DB_AUTH_MODES.join(', ')} (got ${JSON.stringify(raw)})`);
    return '';
  }
  return raw;
}

// The password that goes with DB_AUTH=password, and must be absent with DB_AUTH=iam.
function passwordFor(auth, env, key, problems) {
  if (auth === 'password') return required(env, key, problems, ' when DB_AUTH=password');
  if (auth === 'iam' && env[key] !== undefined) {
    problems.push(`${key} must not be set when DB_AUTH=iam (the app user authenticates with an IAM token)`);
  }
  return undefined;
}

// DB_HOST is a host name (RFC 1123 labels) or an IP address, nothing else. A bad value is not
// echoed: a URL such as mysql://user:password@host would put its password into the log.
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function dbHost(env, problems) {
  const raw = required(env, 'DB_HOST', problems);
  if (raw && !HOST_NAME.test(raw) && net.isIP(raw) === 0) {
    problems.push('DB_HOST must be a host name or an IP address, without scheme, user, password or port (the value is not shown)');
    return '';
  }
  return raw;
}

// Where the database is: shared by both containers.
function location(env, problems) {
  const database = required(env, 'DB_NAME', problems);
  if (database && !/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    problems.push(`DB_NAME must be 1-64 characters of A-Z, a-z, 0-9, _ or $ (got ${JSON.stringify(database)})`);
  }
  return {
    host: dbHost(env, problems),
    port: integer(env, 'DB_PORT', 3306, 1, 65535, problems),
    database,
    tls: boolean(env, 'DB_TLS', true, problems),
  };
}

function logLevel(env, problems) {
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(level)})`);
  }
  return level;
}

function loadPort(env, problems = []) {
  return integer(env, 'PORT', 8080, 1, 65535, problems);
}

// APP_VERSION goes into a response header, so it is kept to characters a header and an image tag
// or digest share (e.g. "sha-1a2b3c", "sha256:9f86d0...").
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;

// The service container. Returns a frozen settings object, or throws one ConfigError that lists
// every bad variable.
function loadConfig(env = process.env) {
  const problems = [];
  const port = loadPort(env, problems);
  const auth = dbAuth(env, problems);
  const db = {
    ...location(env, problems),
    user: matching(env, 'DB_USER', USER_NAME, USER_NAME_ALLOWED, problems),
    auth,
    // Never logged (server.js leaves it out, the logger redacts it).
    password: passwordFor(auth, env, 'DB_PASSWORD', problems),
    region: undefined,
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 1000, problems),
  };
  if (auth === 'iam') {
    db.region = required(env, 'AWS_REGION', problems, ' when DB_AUTH=iam (the region the token is signed for)');
    if (db.region && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(db.region)) {
      problems.push(`AWS_REGION must be a region name such as us-east-1 (got ${JSON.stringify(db.region)})`);
    }
    if (!db.tls) problems.push('DB_TLS must be true when DB_AUTH=iam (the token travels as a clear-text password)');
  }
  const version = env.APP_VERSION || 'unknown';
  if (!VERSION.test(version)) {
    problems.push(`APP_VERSION must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ + - (got ${JSON.stringify(version)})`);
  }
  const level = logLevel(env, problems);
  // The ECS task keeps this default; its stopTimeout exceeds it plus the deregistration delay.
  const shutdownTimeoutMs = integer(env, 'SHUTDOWN_TIMEOUT_MS', 20000, 1000, 120000, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ port, db: Object.freeze(db), version, logLevel: level, shutdownTimeoutMs });
}

// The migrate container: where the database is, the admin (master) credentials it connects with,
// and the app user it creates or updates.
function loadMigrateConfig(env = process.env) {
  const problems = [];
  const db = location(env, problems);
  const admin = {
    user: matching(env, 'DB_ADMIN_USER', USER_NAME, USER_NAME_ALLOWED, problems),
    password: required(env, 'DB_ADMIN_PASSWORD', problems),
  };
  const auth = dbAuth(env, problems);
  const appUser = {
    name: matching(env, 'DB_APP_USER', USER_NAME, USER_NAME_ALLOWED, problems),
    auth,
    password: passwordFor(auth, env, 'DB_APP_PASSWORD', problems),
  };
  if (appUser.name && appUser.name === admin.user) {
    problems.push('DB_APP_USER must differ from DB_ADMIN_USER (the app user gets only the privileges the app needs)');
  }
  const level = logLevel(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ db: Object.freeze(db), admin: Object.freeze(admin), appUser: Object.freeze(appUser), logLevel: level });
}

module.exports = { ENV_KEYS, MIGRATE_ENV_KEYS, LOG_LEVELS, DB_AUTH_MODES, ConfigError, loadConfig, loadMigrateConfig, loadPort };
