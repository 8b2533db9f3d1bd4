'use strict';

// The image runs as uid 1000 on a read-only root filesystem with only /tmp writable (ECS
// readonlyRootFilesystem plus a /tmp volume; compose read_only plus a tmpfs). No container engine
// runs here, so the real server runs the same way in a bubblewrap sandbox: all of / bound
// read-only, a fresh tmpfs on /tmp, uid and gid 1000, the host's loopback network.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { APP_DIR, NODE, appEnv, connect, freePort, freshDatabase, migrateEnv, run, seedUsers, waitFor } = require('./support/env');

const SANDBOX = [
  '--ro-bind', '/', '/',
  '--tmpfs', '/tmp',
  // The checkout and the Node binary may live under /tmp themselves: bind them back, read-only.
  '--ro-bind', APP_DIR, APP_DIR,
  '--ro-bind', path.dirname(NODE), path.dirname(NODE),
  '--dev', '/dev',
  '--proc', '/proc',
  '--unshare-user', '--uid', '1000', '--gid', '1000',
  '--chdir', APP_DIR,
  '--',
];

// Runs NODE with args in the sandbox (bubblewrap is installed by scripts/system-deps.sh). bwrap does
// not forward signals, so pid() gives the Node process inside it.
function sandboxed(args, env) {
  const proc = run('bwrap', [...SANDBOX, NODE, ...args], env);
  const { pid } = proc.child;
  return { ...proc, pid: () => Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) };
}

test('the sandbox is what the image gets: uid 1000, / read-only, /tmp writable', async () => {
  const probe = sandboxed(
    [
      '-e',
      `const fs = require('node:fs');
       const tryWrite = (f) => { try { fs.writeFileSync(f, 'x'); return 'ok'; } catch (err) { return err.code; } };
       console.log(JSON.stringify({ uid: process.getuid(), app: tryWrite('src/probe.txt'), tmp: tryWrite('/tmp/probe.txt') }));`,
    ],
    { PATH: process.env.PATH },
  );
  const { code, stdout, stderr } = await probe.exited;
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), { uid: 1000, app: 'EROFS', tmp: 'ok' });
});

test('migrate, then the server: both run, serve, report healthy and shut down cleanly on a read-only root', async () => {
  await freshDatabase('readonly_root');
  // The migrate container runs first, with the same image and hardening.
  const migrated = await sandboxed(['src/migrate.js'], migrateEnv('readonly_root', { NODE_ENV: 'production', LOG_LEVEL: 'info' })).exited;
  assert.equal(migrated.code, 0, migrated.stderr + migrated.stdout);
  assert.match(migrated.stdout, /"msg":"app user up to date"/);
  assert.doesNotMatch(migrated.stdout + migrated.stderr, /EROFS|EACCES|read-only file system/i);
  const port = await freePort();
  const env = appEnv('readonly_root', { NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: String(port) });
  const server = sandboxed(['src/server.js'], env);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (server.child.exitCode !== null) throw new Error(`server exited: ${server.output().stderr}`);
        return (await fetch(`${base}/readyz`)).status === 200;
      },
      { what: 'readiness' },
    );
    const conn = await connect('readonly_root'); // the migrations ran: the table exists
    await seedUsers(conn, 3);
    await conn.end();
    const res = await fetch(`${base}/users?limit=2`);
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).map((u) => u.id), [1, 2]);

    const healthcheck = await sandboxed(['src/healthcheck.js'], { PATH: process.env.PATH, PORT: String(port) }).exited;
    assert.equal(healthcheck.code, 0, healthcheck.stderr);

    process.kill(server.pid(), 'SIGTERM');
    const { code, stdout, stderr } = await server.exited;
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stdout + stderr, /EROFS|EACCES|read-only file system/i);
    assert.match(stdout, /"msg":"stopped"/);
  } finally {
    if (server.child.exitCode === null) {
      try {
        process.kill(server.pid(), 'SIGKILL');
      } catch {}
      server.child.kill('SIGKILL');
    }
  }
});
