'use strict';

// A stand-in for RDS's side of IAM authentication, built on mysql2's own protocol server: whatever
// the client sends in its handshake, the server answers with an auth switch to mysql_clear_password
// (as RDS does for a user IDENTIFIED WITH AWSAuthenticationPlugin), reads the clear-text answer and
// lets the client in only when `accept(token, user)` says so. It answers COM_PING and any query
// with OK, which is all the pool's ping and its per-connection SET need.
const path = require('node:path');
const mysql = require('mysql2');

// Internals the package does not export: loaded by file path from the installed mysql2.
const MYSQL2_DIR = path.dirname(require.resolve('mysql2'));
const ServerHandshake = require(path.join(MYSQL2_DIR, 'lib/commands/server_handshake.js'));
const Packets = require(path.join(MYSQL2_DIR, 'lib/packets/index.js'));

// An OK reply. mysql2's server keeps counting packet sequence ids across commands, but every
// command from a client starts again at 0, so the count is reset once the reply is written.
function ok(connection) {
  connection.writeOk();
  connection.sequenceId = 0;
}

class ClearTextHandshake extends ServerHandshake {
  constructor(args, onLogin) {
    super(args);
    this.onLogin = onLogin;
  }

  start(packet, connection) {
    super.start(packet, connection); // the server hello; it names the base class's next state, not ours
    return ClearTextHandshake.prototype.readClientReply;
  }

  readClientReply(packet, connection) {
    const reply = Packets.HandshakeResponse.fromPacket(packet, this.args.capabilityFlags);
    connection.clientHelloReply = reply;
    this.user = reply.user;
    this.initialAuth = reply.authToken;
    const authSwitch = new Packets.AuthSwitchRequest({ pluginName: 'mysql_clear_password', pluginData: Buffer.alloc(0) });
    connection.writePacket(authSwitch.toPacket());
    return ClearTextHandshake.prototype.readClearText;
  }

  readClearText(packet, connection) {
    const raw = packet.readBuffer();
    const login = { user: this.user, raw, token: raw.toString('utf8').replace(/\0$/, ''), initialAuth: this.initialAuth };
    if (this.onLogin(login)) {
      ok(connection);
    } else {
      connection.writeError({ message: `Access denied for user '${this.user}'@'%' (using password: YES)`, code: 1045 });
      connection.close();
    }
    return ServerHandshake.prototype.dispatchCommands;
  }
}

// Starts the server on a free loopback port. `logins` records every clear-text login it saw.
async function startFakeRds({ accept = () => true } = {}) {
  const logins = [];
  const sockets = new Set();
  const server = mysql.createServer();
  let nextId = 1;
  server.on('connection', (conn) => {
    sockets.add(conn.stream);
    conn.stream.on('close', () => sockets.delete(conn.stream));
    conn.on('error', () => {});
    const args = {
      protocolVersion: 10,
      serverVersion: '8.4.7-fake-rds',
      connectionId: nextId++,
      statusFlags: 2,
      characterSet: 33, // utf8_general_ci
      capabilityFlags: 0xffffff & ~0x800 & ~0x20, // everything mysql2 knows but TLS and compression
    };
    conn.serverConfig = { ...args, encoding: 'utf8' }; // what connection.serverHandshake() would set
    conn.addCommand(
      new ClearTextHandshake(args, (login) => {
        const ok = Boolean(accept(login.token, login.user));
        logins.push({ ...login, accepted: ok });
        return ok;
      }),
    );
    conn.on('ping', () => ok(conn));
    conn.on('query', () => ok(conn));
    conn.on('stmt_prepare', () => ok(conn)); // mysql2's server routes SET statements here
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server._server.address();
  return {
    port,
    logins,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  };
}

module.exports = { startFakeRds };
