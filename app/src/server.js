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
  const sockets = new Set();

  // Drain: from the first signal on, a response in flight is sent with `Connection: close` (Node
  // then closes its socket), and every socket with no response in flight is closed now: idle
  // keep-alive sockets, and those holding a request not yet fully received, which is dropped.
  function drainSockets() {
    for (const socket of sockets) {
      const res = socket._httpMessage; // the response in progress on this socket, if any
      if (res && !res.headersSent) res.shouldKeepAlive = false;
      else if (!res) socket.destroy();
    }
  }

  async function shutdown(signal) {
    if (stopping) {
      // A second SIGTERM (e.g. ECS repeating its stop) changes nothing: requests in flight finish.
      // A second SIGINT is someone at a terminal pressing Ctrl-C again: stop now.
      if (signal === 'SIGINT') {
        logger.warn({ signal }, 'second signal: exiting now, requests in flight are cut');
        process.exit(130);
      }
      logger.warn({ signal }, 'already shutting down; requests in flight still finish');
      return;
    }
    stopping = true;
    lifecycle.closing = true; // /readyz answers 503 from now on
    logger.info({ signal, connections: sockets.size }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out, exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      if (app) {
        // Stops accepting; once the last response is sent and its socket closed, the onClose hook
        // closes the pool after the statements still running (a client that hung up leaves its
        // handler running) have finished.
        const closed = app.close();
        drainSockets();
        // A socket whose response was already being written when the signal came is closed once
        // that response is out.
        for (const socket of sockets) socket._httpMessage?.once('finish', () => socket.destroySoon());
        await closed;
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
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

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
  app.server.on('connection', (socket) => {
    if (stopping) return socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return undefined;
  });
  app.addHook('onClose', async () => {
    await db.close();
  });
  await app.listen({ port: config.port, host: '0.0.0.0' });
}

main().catch((err) => {
  process.stderr.write(`fatal: ${err.stack || err}\n`);
  process.exit(1);
});
