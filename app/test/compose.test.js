'use strict';

// compose.yaml (repo root) parses with docker-compose and gives the migrate and app containers the
// same environment contracts as src/config.js, with the container hardening the task definition
// also uses.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const YAML = require('yaml');
const { ENV_KEYS, MIGRATE_ENV_KEYS, loadConfig, loadMigrateConfig } = require('../src/config');
const { APP_DIR } = require('./support/env');

const COMPOSE_FILE = path.join(APP_DIR, '..', 'compose.yaml');

function composeConfig() {
  const out = execFileSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH }, // the file's defaults, not the caller's passwords
  });
  return YAML.parse(out);
}

test('docker-compose accepts compose.yaml', () => {
  const config = composeConfig();
  assert.deepEqual(Object.keys(config.services).sort(), ['app', 'migrate', 'mysql']);
});

test('the app service gets the config module env keys in password mode, TLS off locally', () => {
  const { app } = composeConfig().services;
  const iamOnly = ['AWS_REGION'];
  assert.deepEqual(Object.keys(app.environment).sort(), ENV_KEYS.filter((k) => !iamOnly.includes(k)).sort());
  assert.equal(app.environment.DB_AUTH, 'password');
  assert.equal(app.environment.DB_TLS, 'false');
  assert.equal(app.environment.DB_HOST, 'mysql');
  assert.doesNotThrow(() => loadConfig(app.environment), 'the app accepts its compose environment');
});

test('the migrate service: same image, node src/migrate.js, the migrate env keys, admin = MySQL root', () => {
  const { app, migrate, mysql } = composeConfig().services;
  assert.deepEqual(Object.keys(migrate.environment).sort(), [...MIGRATE_ENV_KEYS].sort());
  assert.equal(migrate.image, app.image);
  assert.deepEqual(migrate.build, app.build);
  assert.deepEqual(migrate.command, ['node', 'src/migrate.js']);
  assert.deepEqual(migrate.depends_on, { mysql: { condition: 'service_healthy' } });
  assert.equal(migrate.environment.DB_ADMIN_USER, 'root');
  assert.equal(migrate.environment.DB_ADMIN_PASSWORD, mysql.environment.MYSQL_ROOT_PASSWORD);
  assert.equal(migrate.environment.DB_AUTH, 'password');
  assert.equal(migrate.environment.DB_NAME, mysql.environment.MYSQL_DATABASE);
  assert.doesNotThrow(() => loadMigrateConfig(migrate.environment), 'migrate accepts its compose environment');
  // The app logs in as the user migrate creates, with the password migrate gives it.
  assert.equal(app.environment.DB_USER, migrate.environment.DB_APP_USER);
  assert.equal(app.environment.DB_PASSWORD, migrate.environment.DB_APP_PASSWORD);
  assert.equal(app.environment.DB_NAME, migrate.environment.DB_NAME);
  assert.notEqual(app.environment.DB_USER, migrate.environment.DB_ADMIN_USER);
  assert.ok(!Object.values(app.environment).includes(mysql.environment.MYSQL_ROOT_PASSWORD), 'the app never gets the admin password');
  assert.equal(mysql.environment.MYSQL_USER, undefined, 'the app user is migrate\'s to create');
});

test('both containers run hardened: read-only, node user, tmpfs /tmp, init; the app waits for migrate to succeed', () => {
  const { app, migrate, mysql } = composeConfig().services;
  for (const service of [app, migrate]) {
    assert.equal(service.read_only, true);
    assert.equal(service.user, 'node');
    assert.deepEqual(service.tmpfs, ['/tmp']);
    assert.equal(service.init, true);
    assert.equal(service.build.context, APP_DIR);
  }
  assert.deepEqual(app.healthcheck.test, ['CMD', 'node', 'src/healthcheck.js']);
  assert.deepEqual(app.depends_on, { migrate: { condition: 'service_completed_successfully' } });
  assert.equal(migrate.restart, 'no');
  assert.match(mysql.image, /^mysql:8\.4(\.|$)/);
  assert.ok(mysql.healthcheck.test.join(' ').includes('mysqladmin ping'));
});

test('the Dockerfile and compose agree on the run contract', () => {
  const dockerfile = require('node:fs').readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:24\.\d+\.\d+-[a-z]+-slim@sha256:[0-9a-f]{64} AS deps$/m);
  assert.match(dockerfile, /^WORKDIR \/app$/m);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /NODE_ENV=production/);
  assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "src\/healthcheck\.js"\]$/m);
  assert.match(dockerfile, /^CMD \["node", "src\/server\.js"\]$/m);
  const node24 = require('node:fs').readFileSync(path.join(APP_DIR, 'scripts', 'common.sh'), 'utf8').match(/NODE24_VERSION=(\S+)/)[1];
  assert.ok(dockerfile.includes(`FROM node:${node24}-`), 'the tests run on the image\'s exact Node release');
});

test('app and migrate drop every capability, cannot gain privileges, and get the dev task size', () => {
  const { app, migrate, mysql } = composeConfig().services;
  const dev = YAML.parse(require('node:fs').readFileSync(path.join(APP_DIR, '..', 'Pulumi.dev.yaml'), 'utf8')).config;
  const mib = (limit) => {
    const m = /^(\d+)([kmg]?)b?$/i.exec(String(limit));
    assert.ok(m, `memory limit ${limit}`);
    return Number(m[1]) * { '': 1 / 1048576, k: 1 / 1024, m: 1, g: 1024 }[m[2].toLowerCase()];
  };
  for (const service of [app, migrate]) {
    assert.deepEqual(service.cap_drop, ['ALL']);
    assert.equal(service.cap_add, undefined);
    assert.deepEqual(service.security_opt, ['no-new-privileges:true']);
    assert.equal(Number(service.cpus) * 1024, dev['webservice:cpu'], 'CPU units of the dev task');
    assert.equal(mib(service.mem_limit), dev['webservice:memory'], 'MiB of the dev task');
  }
  assert.deepEqual(mysql.security_opt, ['no-new-privileges:true']);
});

test('no password on a health-check command line', () => {
  const { mysql, app } = composeConfig().services;
  for (const check of [mysql.healthcheck.test, app.healthcheck.test]) {
    const line = check.join(' ');
    assert.doesNotMatch(line, /-p|--password|PASSWORD|root-local-only/);
  }
});

test('the base image is pinned by digest in both stages, and the final image carries no package manager', () => {
  const dockerfile = require('node:fs').readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8');
  const froms = dockerfile.match(/^FROM .*$/gm);
  assert.equal(froms.length, 2);
  const digests = froms.map((f) => /@(sha256:[0-9a-f]{64})/.exec(f)?.[1]);
  assert.ok(digests[0] && digests[0] === digests[1], 'both stages use the same pinned digest');
  const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  for (const tool of ['/usr/local/lib/node_modules/npm', '/usr/local/bin/npx', '/usr/local/lib/node_modules/corepack', '/opt/yarn-v*']) {
    assert.ok(final.includes(tool), `${tool} is removed from the final image`);
  }
  assert.doesNotMatch(final.split('\n').filter((l) => /^(CMD|HEALTHCHECK|ENTRYPOINT)/.test(l)).join('\n'), /npm/);
});
