'use strict';

// The environment contract, read once. Every key the service reads is listed in ENV_KEYS;
// compose.yaml and the ECS task definition are checked against this list.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const ENV_KEYS = Object.freeze([
  'PORT',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'DB_TLS',
  'DB_POOL_SIZE',
  'RUN_MIGRATIONS',
  'LOG_LEVEL',
  'SHUTDOWN_TIMEOUT_MS',
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

function required(env, key, problems) {
  const raw = env[key];
  if (raw === undefined || raw === '') {
    problems.push(`${key} is required`);
    return '';
  }
  return raw;
}

function loadPort(env, problems = []) {
  return integer(env, 'PORT', 8080, 1, 65535, problems);
}

// Returns a frozen settings object, or throws one ConfigError that lists every bad variable.
function loadConfig(env = process.env) {
  const problems = [];
  const port = loadPort(env, problems);
  const db = {
    host: required(env, 'DB_HOST', problems),
    port: integer(env, 'DB_PORT', 3306, 1, 65535, problems),
    user: required(env, 'DB_USER', problems),
    // An empty password is legal for a local server, so it is optional; it is never logged.
    password: env.DB_PASSWORD ?? '',
    database: required(env, 'DB_NAME', problems),
    tls: boolean(env, 'DB_TLS', true, problems),
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 1000, problems),
  };
  if (db.database && !/^[A-Za-z0-9_$]{1,64}$/.test(db.database)) {
    problems.push(`DB_NAME must be 1-64 characters of A-Z, a-z, 0-9, _ or $ (got ${JSON.stringify(db.database)})`);
  }
  const runMigrations = boolean(env, 'RUN_MIGRATIONS', true, problems);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel)})`);
  }
  const shutdownTimeoutMs = integer(env, 'SHUTDOWN_TIMEOUT_MS', 20000, 1000, 120000, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ port, db: Object.freeze(db), runMigrations, logLevel, shutdownTimeoutMs });
}

module.exports = { ENV_KEYS, LOG_LEVELS, ConfigError, loadConfig, loadPort };
