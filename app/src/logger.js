'use strict';

const pino = require('pino');

// JSON lines on stdout. Credentials never reach a log line: the config is logged without the
// password, request logs carry no headers, and these paths are censored wherever they appear.
const REDACT_PATHS = [
  'password',
  '*.password',
  'db.password',
  'config.db.password',
  'req.headers.authorization',
  'req.headers.cookie',
];

function loggerOptions(level) {
  return {
    level,
    base: { service: 'users-service' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

function createLogger(level) {
  return pino(loggerOptions(level));
}

module.exports = { createLogger, loggerOptions };
