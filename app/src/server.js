'use strict';

const { loadConfig, ConfigError } = require('./config');
const { createLogger } = require('./logger');
const { createDb } = require('./db');
const { buildApp } = require('./app');

// The ALB keeps idle connections for 60 s; Node must not close them first (the 502 pitfall).
const KEEP_ALIVE_TIMEOUT_MS = 65000;
const HEADERS_TIMEOUT_MS = 66000;

function readConfig() {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const { password: _password, ...dbSummary } = config.db;
  logger.info({ config: { ...config, db: dbSummary } }, 'starting');

  const lifecycle = { closing: false };
  const db = createDb(config.db, { logger });
  let app;
  let stopping = false;

  async function shutdown(signal) {
    if (stopping) return;
    stopping = true;
    lifecycle.closing = true; // /readyz answers 503 from now on
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out, exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      if (app) {
        // Stops accepting and closes idle keep-alive sockets; requests in flight finish (their
        // responses carry Connection: close), then the onClose hook closes the pool once the
        // statements still running have finished (a client that hung up leaves its handler running).
        await app.close();
      } else {
        await db.close();
      }
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  // Migrations run in the migrate container, as the admin user: the app user may not run DDL.
  db.credentials.start();
  app = buildApp({
    db,
    logger,
    lifecycle,
    credentials: db.credentials,
    version: config.version,
    fastifyOptions: { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, forceCloseConnections: false },
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  app.addHook('onClose', async () => {
    await db.close();
  });
  await app.listen({ port: config.port, host: '0.0.0.0' });
}

main().catch((err) => {
  process.stderr.write(`fatal: ${err.stack || err}\n`);
  process.exit(1);
});
