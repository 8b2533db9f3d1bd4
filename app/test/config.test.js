'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loadConfig, ConfigError, ENV_KEYS } = require('../src/config');
const { appEnv, runNode } = require('./support/env');

const BASE = { DB_HOST: 'db', DB_USER: 'app', DB_NAME: 'appdb' };

test('defaults follow the contract', () => {
  const config = loadConfig(BASE);
  assert.equal(config.port, 8080);
  assert.equal(config.db.port, 3306);
  assert.equal(config.db.tls, true);
  assert.equal(config.db.poolSize, 10);
  assert.equal(config.runMigrations, true);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.shutdownTimeoutMs, 20000);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.db));
});

test('explicit values are read', () => {
  const config = loadConfig({
    ...BASE,
    PORT: '3000',
    DB_PORT: '3307',
    DB_PASSWORD: 's3cret',
    DB_TLS: 'false',
    DB_POOL_SIZE: '25',
    RUN_MIGRATIONS: '0',
    LOG_LEVEL: 'warn',
  });
  assert.deepEqual(
    [config.port, config.db.port, config.db.password, config.db.tls, config.db.poolSize, config.runMigrations, config.logLevel],
    [3000, 3307, 's3cret', false, 25, false, 'warn'],
  );
});

test('every bad variable is named, with what is allowed', () => {
  assert.throws(
    () => loadConfig({ DB_HOST: 'db', PORT: 'eighty', DB_POOL_SIZE: '0', DB_TLS: 'maybe', LOG_LEVEL: 'loud' }),
    (err) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /PORT must be an integer from 1 to 65535 \(got "eighty"\)/);
      assert.match(err.message, /DB_POOL_SIZE must be an integer from 1 to 1000 \(got "0"\)/);
      assert.match(err.message, /DB_TLS must be one of true, false, 1, 0 \(got "maybe"\)/);
      assert.match(err.message, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
      assert.match(err.message, /DB_USER is required/);
      assert.match(err.message, /DB_NAME is required/);
      return true;
    },
  );
});

test('the documented key list is exactly what the module reads', () => {
  assert.deepEqual([...ENV_KEYS].sort(), [
    'DB_HOST', 'DB_NAME', 'DB_PASSWORD', 'DB_POOL_SIZE', 'DB_PORT', 'DB_TLS', 'DB_USER', 'LOG_LEVEL', 'PORT',
    'RUN_MIGRATIONS', 'SHUTDOWN_TIMEOUT_MS',
  ]);
});

test('the server exits 1 at start with one clear message for invalid env', async () => {
  const { exited } = runNode(['src/server.js'], appEnv('unused', { DB_POOL_SIZE: 'ten' }));
  const { code, stderr, stdout } = await exited;
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'Invalid environment: DB_POOL_SIZE must be an integer from 1 to 1000 (got "ten")');
  assert.equal(stdout, '');
});

test('the migration task exits 1 with the same message for invalid env', async () => {
  const { exited } = runNode(['src/migrate.js'], appEnv('unused', { DB_TLS: 'yes please' }));
  const { code, stderr } = await exited;
  assert.equal(code, 1);
  assert.match(stderr, /^Invalid environment: DB_TLS must be one of true, false, 1, 0 \(got "yes please"\)\n$/);
});
