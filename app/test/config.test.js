'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loadConfig, loadMigrateConfig, ConfigError, ENV_KEYS, MIGRATE_ENV_KEYS } = require('../src/config');
const { appEnv, migrateEnv, runNode } = require('./support/env');

const BASE = { DB_HOST: 'db', DB_USER: 'app_user', DB_NAME: 'appdb', DB_AUTH: 'password', DB_PASSWORD: 'pw' };
const IAM = { DB_HOST: 'db', DB_USER: 'app_user', DB_NAME: 'appdb', DB_AUTH: 'iam', AWS_REGION: 'eu-west-1' };
const MIGRATE = {
  DB_HOST: 'db', DB_NAME: 'appdb', DB_ADMIN_USER: 'admin', DB_ADMIN_PASSWORD: 'master', DB_APP_USER: 'app_user', DB_AUTH: 'iam',
};

function problems(load, env) {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults follow the contract', () => {
  const config = loadConfig(BASE);
  assert.equal(config.port, 8080);
  assert.equal(config.db.port, 3306);
  assert.equal(config.db.tls, true);
  assert.equal(config.db.poolSize, 10);
  assert.equal(config.db.auth, 'password');
  assert.equal(config.version, 'unknown');
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
    LOG_LEVEL: 'warn',
    APP_VERSION: 'sha256:9f86d081884c7d65',
  });
  assert.deepEqual(
    [config.port, config.db.port, config.db.password, config.db.tls, config.db.poolSize, config.logLevel, config.version],
    [3000, 3307, 's3cret', false, 25, 'warn', 'sha256:9f86d081884c7d65'],
  );
});

test('iam mode: no password, the region is read, TLS stays on', () => {
  const config = loadConfig(IAM);
  assert.deepEqual(
    [config.db.auth, config.db.password, config.db.region, config.db.tls, config.db.user],
    ['iam', undefined, 'eu-west-1', true, 'app_user'],
  );
});

test('every bad variable is named, with what is allowed', () => {
  assert.throws(
    () => loadConfig({ DB_HOST: 'db', PORT: 'eighty', DB_POOL_SIZE: '0', DB_TLS: 'maybe', LOG_LEVEL: 'loud', DB_AUTH: 'password' }),
    (err) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /PORT must be an integer from 1 to 65535 \(got "eighty"\)/);
      assert.match(err.message, /DB_POOL_SIZE must be an integer from 1 to 1000 \(got "0"\)/);
      assert.match(err.message, /DB_TLS must be one of true, false, 1, 0 \(got "maybe"\)/);
      assert.match(err.message, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
      assert.match(err.message, /DB_USER is required/);
      assert.match(err.message, /DB_NAME is required/);
      assert.match(err.message, /DB_PASSWORD is required when DB_AUTH=password/);
      return true;
    },
  );
});

test('DB_AUTH is required and must be iam or password', () => {
  const { DB_AUTH: _auth, ...noAuth } = BASE;
  assert.deepEqual(problems(loadConfig, noAuth), ['DB_AUTH is required: one of iam, password']);
  assert.deepEqual(problems(loadConfig, { ...BASE, DB_AUTH: 'IAM' }), ['DB_AUTH must be one of iam, password (got "IAM")']);
  assert.deepEqual(problems(loadConfig, { ...BASE, DB_AUTH: 'token' }), ['DB_AUTH must be one of iam, password (got "token")']);
});

test('iam mode: a DB_PASSWORD, a missing or malformed AWS_REGION and DB_TLS=false are each refused', () => {
  assert.deepEqual(problems(loadConfig, { ...IAM, DB_PASSWORD: 'pw' }), [
    'DB_PASSWORD must not be set when DB_AUTH=iam (the app user authenticates with an IAM token)',
  ]);
  assert.deepEqual(problems(loadConfig, { ...IAM, DB_PASSWORD: '' }).length, 1, 'even an empty one');
  const { AWS_REGION: _region, ...noRegion } = IAM;
  assert.deepEqual(problems(loadConfig, noRegion), ['AWS_REGION is required when DB_AUTH=iam (the region the token is signed for)']);
  assert.deepEqual(problems(loadConfig, { ...IAM, AWS_REGION: 'Ireland' }), [
    'AWS_REGION must be a region name such as us-east-1 (got "Ireland")',
  ]);
  assert.deepEqual(problems(loadConfig, { ...IAM, DB_TLS: 'false' }), [
    'DB_TLS must be true when DB_AUTH=iam (the token travels as a clear-text password)',
  ]);
});

test('password mode needs the password; AWS_REGION is not needed there', () => {
  const { DB_PASSWORD: _pw, ...noPassword } = BASE;
  assert.deepEqual(problems(loadConfig, noPassword), ['DB_PASSWORD is required when DB_AUTH=password']);
  assert.equal(loadConfig(BASE).db.region, undefined);
});

test('DB_USER and APP_VERSION are kept to safe characters', () => {
  assert.deepEqual(problems(loadConfig, { ...BASE, DB_USER: "app'@'%" }), [
    'DB_USER must be 1-32 characters of A-Z, a-z, 0-9 or _ (got "app\'@\'%")',
  ]);
  assert.deepEqual(problems(loadConfig, { ...BASE, APP_VERSION: 'v1\r\nx-evil: 1' }), [
    'APP_VERSION must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ + - (got "v1\\r\\nx-evil: 1")',
  ]);
});

test('the migrate config: admin credentials, the app user and its auth mode', () => {
  const iam = loadMigrateConfig(MIGRATE);
  assert.deepEqual(iam.admin, { user: 'admin', password: 'master' });
  assert.deepEqual(iam.appUser, { name: 'app_user', auth: 'iam', password: undefined });
  assert.equal(iam.db.tls, true);
  const local = loadMigrateConfig({ ...MIGRATE, DB_AUTH: 'password', DB_APP_PASSWORD: 'local', DB_TLS: 'false' });
  assert.deepEqual(local.appUser, { name: 'app_user', auth: 'password', password: 'local' });
});

test('the migrate config names every bad variable', () => {
  assert.deepEqual(problems(loadMigrateConfig, { DB_HOST: 'db', DB_NAME: 'appdb' }), [
    'DB_ADMIN_USER is required',
    'DB_ADMIN_PASSWORD is required',
    'DB_AUTH is required: one of iam, password',
    'DB_APP_USER is required',
  ]);
  assert.deepEqual(problems(loadMigrateConfig, { ...MIGRATE, DB_APP_PASSWORD: 'x' }), [
    'DB_APP_PASSWORD must not be set when DB_AUTH=iam (the app user authenticates with an IAM token)',
  ]);
  assert.deepEqual(problems(loadMigrateConfig, { ...MIGRATE, DB_AUTH: 'password' }), ['DB_APP_PASSWORD is required when DB_AUTH=password']);
  assert.deepEqual(problems(loadMigrateConfig, { ...MIGRATE, DB_APP_USER: 'admin' }), [
    'DB_APP_USER must differ from DB_ADMIN_USER (the app user gets only the privileges the app needs)',
  ]);
});

test('the documented key lists are exactly what each container reads', () => {
  assert.deepEqual([...ENV_KEYS].sort(), [
    'APP_VERSION', 'AWS_REGION', 'DB_AUTH', 'DB_HOST', 'DB_NAME', 'DB_PASSWORD', 'DB_POOL_SIZE', 'DB_PORT', 'DB_TLS', 'DB_USER',
    'LOG_LEVEL', 'PORT', 'SHUTDOWN_TIMEOUT_MS',
  ]);
  assert.deepEqual([...MIGRATE_ENV_KEYS].sort(), [
    'DB_ADMIN_PASSWORD', 'DB_ADMIN_USER', 'DB_APP_PASSWORD', 'DB_APP_USER', 'DB_AUTH', 'DB_HOST', 'DB_NAME', 'DB_PORT', 'DB_TLS',
    'LOG_LEVEL',
  ]);
  // Every key the loaders look at is listed: a loader given only the listed keys sees everything.
  const seen = (load, env) => {
    const read = new Set();
    const get = (target, key) => {
      read.add(key);
      return target[key];
    };
    const proxy = new Proxy(env, { get });
    load(proxy);
    return [...read].filter((k) => typeof k === 'string').sort();
  };
  for (const key of seen(loadConfig, { ...IAM })) assert.ok(ENV_KEYS.includes(key), `loadConfig reads ${key}`);
  for (const key of seen(loadConfig, { ...BASE })) assert.ok(ENV_KEYS.includes(key), `loadConfig reads ${key}`);
  for (const key of seen(loadMigrateConfig, { ...MIGRATE })) assert.ok(MIGRATE_ENV_KEYS.includes(key), `loadMigrateConfig reads ${key}`);
});

test('the server exits 1 at start with one clear message for invalid env', async () => {
  const { exited } = runNode(['src/server.js'], appEnv('unused', { DB_POOL_SIZE: 'ten' }));
  const { code, stderr, stdout } = await exited;
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'Invalid environment: DB_POOL_SIZE must be an integer from 1 to 1000 (got "ten")');
  assert.equal(stdout, '');
});

test('the server refuses an unknown DB_AUTH at start', async () => {
  const { code, stderr } = await runNode(['src/server.js'], appEnv('unused', { DB_AUTH: 'kerberos' })).exited;
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'Invalid environment: DB_AUTH must be one of iam, password (got "kerberos")');
});

test('the migration task exits 1 with the same kind of message for invalid env', async () => {
  const { exited } = runNode(['src/migrate.js'], migrateEnv('unused', { DB_TLS: 'yes please' }));
  const { code, stderr } = await exited;
  assert.equal(code, 1);
  assert.match(stderr, /^Invalid environment: DB_TLS must be one of true, false, 1, 0 \(got "yes please"\)\n$/);
});

test('DB_HOST is a host name or an IP address; anything else is refused without echoing it', () => {
  for (const host of ['db', 'mysql', '127.0.0.1', '::1', 'fd00::5', 'app-db.abc123.eu-west-1.rds.amazonaws.com', 'db.internal.']) {
    assert.equal(loadConfig({ ...BASE, DB_HOST: host }).db.host, host);
  }
  const secret = 's3cret-pw';
  for (const host of [`mysql://admin:${secret}@db:3306/appdb`, `admin:${secret}@db`, 'db:3306', 'db/appdb', '-db', 'db..x', 'db host', `${'a'.repeat(64)}.x`]) {
    const found = problems(loadConfig, { ...BASE, DB_HOST: host });
    assert.deepEqual(found, ['DB_HOST must be a host name or an IP address, without scheme, user, password or port (the value is not shown)'], host);
    assert.doesNotMatch(found.join(), new RegExp(secret));
  }
  assert.deepEqual(problems(loadMigrateConfig, { ...MIGRATE, DB_HOST: `mysql://root:${secret}@db` }),
    ['DB_HOST must be a host name or an IP address, without scheme, user, password or port (the value is not shown)']);
});

test('a DB_HOST URL with credentials stops the server at start, and the password is not printed', async () => {
  const { code, stderr, stdout } = await runNode(['src/server.js'], appEnv('unused', { DB_HOST: 'mysql://app:hunter2@db:3306/appdb' })).exited;
  assert.equal(code, 1);
  assert.match(stderr, /^Invalid environment: DB_HOST must be a host name or an IP address/);
  assert.doesNotMatch(stderr + stdout, /hunter2/);
});

test('the migration lock name stays within MySQL\'s 64 characters for every allowed DB_NAME', () => {
  const { migrationLockName } = require('../src/migrate');
  const longest = 'd'.repeat(64); // DB_NAME allows 64 characters
  for (const name of ['appdb', longest, '$'.repeat(64), 'a_b']) {
    const lock = migrationLockName(name);
    assert.ok(lock.length <= 64, `${lock} is ${lock.length} characters`);
    assert.equal(migrationLockName(name), lock, 'the same database always gets the same lock');
    assert.doesNotThrow(() => loadMigrateConfig({ ...MIGRATE, DB_NAME: name }));
  }
  assert.notEqual(migrationLockName(longest), migrationLockName(`${'d'.repeat(63)}e`), 'names that differ only at the end get different locks');
});
