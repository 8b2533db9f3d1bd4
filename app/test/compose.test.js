'use strict';

// compose.yaml (repo root) parses with docker-compose and gives the app the same environment
// contract as src/config.js, with the container hardening the task definition also uses.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const YAML = require('yaml');
const { ENV_KEYS } = require('../src/config');
const { APP_DIR } = require('./support/env');

const COMPOSE_FILE = path.join(APP_DIR, '..', 'compose.yaml');

function composeConfig() {
  const out = execFileSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH }, // the file's defaults, not the caller's DB_PASSWORD
  });
  return YAML.parse(out);
}

test('docker-compose accepts compose.yaml', () => {
  const config = composeConfig();
  assert.deepEqual(Object.keys(config.services).sort(), ['app', 'mysql']);
});

test('the app service gets exactly the config module env keys, TLS off locally', () => {
  const { app } = composeConfig().services;
  assert.deepEqual(Object.keys(app.environment).sort(), [...ENV_KEYS].sort());
  assert.equal(app.environment.DB_TLS, 'false');
  assert.equal(app.environment.DB_HOST, 'mysql');
});

test('the app runs hardened: read-only, node user, tmpfs /tmp, init, health check script', () => {
  const { app, mysql } = composeConfig().services;
  assert.equal(app.read_only, true);
  assert.equal(app.user, 'node');
  assert.deepEqual(app.tmpfs, ['/tmp']);
  assert.equal(app.init, true);
  assert.equal(app.build.context, APP_DIR);
  assert.deepEqual(app.healthcheck.test, ['CMD', 'node', 'src/healthcheck.js']);
  assert.deepEqual(app.depends_on, { mysql: { condition: 'service_healthy' } });
  assert.match(mysql.image, /^mysql:8(\.|$)/);
  assert.ok(mysql.healthcheck.test.join(' ').includes('mysqladmin ping'));
  assert.equal(mysql.environment.MYSQL_PASSWORD, app.environment.DB_PASSWORD);
  assert.equal(mysql.environment.MYSQL_DATABASE, app.environment.DB_NAME);
  assert.equal(mysql.environment.MYSQL_USER, app.environment.DB_USER);
});

test('the Dockerfile and compose agree on the run contract', () => {
  const dockerfile = require('node:fs').readFileSync(path.join(APP_DIR, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:24\.\d+\.\d+-[a-z]+-slim AS deps$/m);
  assert.match(dockerfile, /^WORKDIR \/app$/m);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /NODE_ENV=production/);
  assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "src\/healthcheck\.js"\]$/m);
  assert.match(dockerfile, /^CMD \["node", "src\/server\.js"\]$/m);
  const node24 = require('node:fs').readFileSync(path.join(APP_DIR, 'scripts', 'common.sh'), 'utf8').match(/NODE24_VERSION=(\S+)/)[1];
  assert.ok(dockerfile.includes(`FROM node:${node24}-`), 'the tests run on the image\'s exact Node release');
});
