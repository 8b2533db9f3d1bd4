'use strict';

// IAM mode without AWS: a fake signer (and the real @aws-sdk/rds-signer with made-up static keys,
// which signs locally) against a fake RDS that switches every login to mysql_clear_password.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { createDb, iamTokenProvider } = require('../src/db');
const { startFakeRds } = require('./support/fake-rds');

const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function fakeRds(options) {
  const server = await startFakeRds(options);
  servers.push(server);
  return server;
}

// The app's db settings for the fake server. TLS is off only because the fake server has none;
// config.js refuses DB_TLS=false with DB_AUTH=iam.
const settings = (port, poolSize = 2) => ({
  host: '127.0.0.1', port, user: 'app_user', auth: 'iam', region: 'us-east-1', database: 'appdb', tls: false, poolSize,
});

function countingSigner() {
  const issued = [];
  return {
    issued,
    async token() {
      const token = `fake-token-${issued.length + 1}`;
      issued.push(token);
      return token;
    },
  };
}

test('one token per new connection, none for a reused one, and each travels as the clear-text answer', async () => {
  const rds = await fakeRds();
  const signer = countingSigner();
  const db = createDb(settings(rds.port, 3), { authToken: signer.token });
  try {
    for (let i = 0; i < 20; i++) await db.ping(); // one connection, reused 19 times
    assert.deepEqual(signer.issued, ['fake-token-1']);

    // Three at once: the pool must open two more connections, each with a token of its own.
    const conns = await Promise.all([1, 2, 3].map(() => db.pool.getConnection()));
    for (const conn of conns) conn.release();
    assert.equal(signer.issued.length, 3);
    for (let i = 0; i < 20; i++) await Promise.all([db.ping(), db.ping(), db.ping()]);
    assert.equal(signer.issued.length, 3, 'a busy pool of three reuses its connections');

    assert.deepEqual(rds.logins.map((l) => l.token), signer.issued, 'the server received exactly the tokens issued, in order');
    for (const login of rds.logins) {
      assert.equal(login.user, 'app_user');
      assert.deepEqual(login.raw, Buffer.from(`${login.token}\0`), 'mysql_clear_password: the token and a NUL');
      assert.equal(login.initialAuth.length, 0, 'no password was sent in the handshake itself');
    }
  } finally {
    await db.close();
  }
});

test('the credential probe logs in with a fresh token of its own every time', async () => {
  const rds = await fakeRds();
  const signer = countingSigner();
  const db = createDb(settings(rds.port), { authToken: signer.token });
  try {
    await db.ping();
    await db.credentials.check();
    await db.credentials.check();
    assert.deepEqual(signer.issued, ['fake-token-1', 'fake-token-2', 'fake-token-3']);
    assert.deepEqual(rds.logins.map((l) => l.token), signer.issued);
    assert.equal(db.credentials.accepted, true);
  } finally {
    await db.close();
  }
});

test('a refused token, or no token at all, is a credentials failure for the monitor', async () => {
  const rds = await fakeRds({ accept: (token) => token !== 'expired' });
  const db = createDb(settings(rds.port), { authToken: async () => 'expired' });
  try {
    await db.credentials.check();
    assert.equal(db.credentials.accepted, false);
    assert.equal(db.credentials.refusedInARow, 1);
    const err = await db.ping().then(() => null, (e) => e);
    assert.equal(err?.name, 'DbUnavailableError', 'requests get a 503, not a 500');
    assert.equal(err.cause.code, 'ER_ACCESS_DENIED_ERROR');
  } finally {
    await db.close();
  }
  const noCredentials = createDb(settings(rds.port), {
    authToken: async () => {
      throw new Error('Could not load credentials from any providers');
    },
  });
  try {
    await noCredentials.credentials.check();
    assert.equal(noCredentials.credentials.refusedInARow, 1, 'a signer that fails counts as a refused login');
  } finally {
    await noCredentials.close();
  }
});

test('the real RDS signer, with made-up static keys: a presigned rds-db:connect URL for this host, port, user and region', async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const rds = await fakeRds();
  const config = settings(rds.port);
  const db = createDb(config); // no authToken: the default, @aws-sdk/rds-signer
  try {
    await db.ping();
    assert.equal(rds.logins.length, 1);
    const url = new URL(`https://${rds.logins[0].token}`);
    assert.equal(url.host, `127.0.0.1:${rds.port}`);
    assert.equal(url.searchParams.get('Action'), 'connect');
    assert.equal(url.searchParams.get('DBUser'), 'app_user');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.match(url.searchParams.get('X-Amz-Credential'), /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '900', 'valid 15 minutes');
    assert.match(url.searchParams.get('X-Amz-Signature'), /^[0-9a-f]{64}$/);
  } finally {
    await db.close();
  }
  assert.match(await iamTokenProvider(config)(), /^127\.0\.0\.1:\d+\/\?Action=connect&DBUser=app_user&/);
});
