'use strict';

// Are the app user's credentials still accepted? Pooled connections stay open when the password
// changes, the user is dropped or the task loses rds-db:connect, so the pool alone would notice
// only when it next opens a connection. The monitor logs in on a fresh connection of its own
// every PROBE_INTERVAL_MS (one connection, closed at once: 4 a minute per task) and keeps:
//  - `accepted`: false while the last login the server answered was refused. /readyz is 503 then,
//    so the load balancer stops sending traffic within PROBE_INTERVAL_MS plus a connect timeout.
//  - `live`: false once FAIL_AFTER_PROBES logins in a row were refused (60 s at 15 s intervals).
//    /healthz is 503 then, so the container and load balancer health checks fail and ECS replaces
//    the task; the new task's migrate container re-creates the user and its grants first.
// Only a refused login counts. A database that cannot be reached (or answers anything else)
// breaks the streak, so an outage never fails /healthz: a new task would not help.

const PROBE_INTERVAL_MS = 15000;
const FAIL_AFTER_PROBES = 5;

// Server and client errors that mean "these credentials do not let the app user in".
const AUTH_ERROR_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR', // 1045: wrong password, unknown user, invalid or expired IAM token
  'ER_DBACCESS_DENIED_ERROR', // 1044: the user may not use the database
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', // 1698
  'ER_ACCOUNT_HAS_BEEN_LOCKED', // 3118
  'ER_MUST_CHANGE_PASSWORD_LOGIN', // 1862: password expired
  'AUTH_SWITCH_PLUGIN_ERROR', // mysql2: no token could be made (no AWS credentials, signer failed)
]);

function isAuthError(err) {
  return AUTH_ERROR_CODES.has(err?.code) || AUTH_ERROR_CODES.has(err?.cause?.code);
}

class CredentialMonitor {
  constructor({ probe, logger, intervalMs = PROBE_INTERVAL_MS, failAfterProbes = FAIL_AFTER_PROBES }) {
    this.probe = probe;
    this.logger = logger;
    this.intervalMs = intervalMs;
    this.failAfterProbes = failAfterProbes;
    this.accepted = true;
    this.refusedInARow = 0;
    this.timer = null;
    this.stopped = false;
  }

  get live() {
    return this.refusedInARow < this.failAfterProbes;
  }

  // Probes now, then every intervalMs after each probe ends (probes never overlap).
  start() {
    this.stopped = false;
    this.tick();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
  }

  async tick() {
    await this.check();
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async check() {
    let error = null;
    try {
      await this.probe();
    } catch (err) {
      error = err;
    }
    this.record(error);
  }

  record(err) {
    const wasLive = this.live;
    if (err && isAuthError(err)) {
      this.refusedInARow += 1;
      if (this.accepted) {
        this.accepted = false;
        this.logger?.error({ err: { code: err.code, message: err.message } }, 'database credentials rejected: /readyz is 503');
      }
      if (wasLive && !this.live) {
        this.logger?.error(
          { probes: this.refusedInARow, intervalMs: this.intervalMs },
          'database credentials rejected on every probe: /healthz is 503 so that the task is replaced',
        );
      }
      return;
    }
    // Anything else breaks the streak. Only a login that succeeded says the credentials work.
    this.refusedInARow = 0;
    if (!err && !this.accepted) {
      this.accepted = true;
      this.logger?.info('database credentials accepted again');
    }
  }
}

module.exports = { CredentialMonitor, isAuthError, AUTH_ERROR_CODES, PROBE_INTERVAL_MS, FAIL_AFTER_PROBES };
