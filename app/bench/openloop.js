'use strict';

// Load generator for the overload curve (not a test), run by bench/run.js in its own process.
//   RATE > 0: open loop. Requests are due at a fixed rate whatever the server does; each goes out on
//             an idle keep-alive connection (a new one is opened, up to MAX_CONNECTIONS, when none is
//             idle), and waits client-side when all are busy. Latency counts from when the request
//             was due, so a slow server cannot hide its queue in the generator's (no coordinated
//             omission).
//   RATE = 0: closed loop with CONNECTIONS connections, each sending its next request when the last
//             answered: the capacity run.
// Raw sockets and a minimal HTTP/1.1 response parser keep the generator's own CPU per request low.
// Prints one JSON line: offered and sent req/s, 2xx/s, other statuses, errors, p50/p99 of the 2xx,
// and the CPU used in the measured window (cores busy) by the generator itself, by SERVER_PID and
// DB_PID when given, and by the whole machine.
const net = require('node:net');
const cpu = require('./cpu');

const PORT = Number(process.env.PORT);
const PATH = process.env.URL_PATH || '/users?limit=50';
const RATE = Number(process.env.RATE || 0);
const CONNECTIONS = Number(process.env.CONNECTIONS || 64);
const MAX_CONNECTIONS = Number(process.env.MAX_CONNECTIONS || 1024);
const DURATION_MS = Number(process.env.DURATION_MS || 5000);
const WARMUP_MS = Number(process.env.WARMUP_MS || 1000);
const PIDS = Object.fromEntries(Object.entries({ server: process.env.SERVER_PID, db: process.env.DB_PID }).filter(([, pid]) => pid));
const REQUEST = Buffer.from(`GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);

// The response head is read from the bytes, without building a string per response: the status
// from 'HTTP/1.1 NNN', and the two fields the framing needs, matched case-insensitively.
const HEADER_END = Buffer.from('\r\n\r\n');

// Index of `\r\n<name>:` (name in lower case) in buf before `end`, matched case-insensitively, or -1.
function findField(buf, name, end) {
  for (let i = buf.indexOf(13); i >= 0 && i < end; i = buf.indexOf(13, i + 1)) {
    if (buf[i + 1] !== 10) continue;
    let j = 0;
    while (j < name.length && (buf[i + 2 + j] | 0x20) === name.charCodeAt(j)) j += 1;
    if (j === name.length && buf[i + 2 + j] === 58 /* : */) return i + 3 + j;
  }
  return -1;
}

function contentLength(buf, end) {
  let i = findField(buf, 'content-length', end);
  if (i < 0) return 0;
  while (buf[i] === 32) i += 1;
  let n = 0;
  for (; buf[i] >= 48 && buf[i] <= 57; i += 1) n = n * 10 + buf[i] - 48;
  return n;
}

function hasConnectionClose(buf, end) {
  let i = findField(buf, 'connection', end);
  if (i < 0) return false;
  while (buf[i] === 32) i += 1;
  return buf.toString('latin1', i, i + 5).toLowerCase() === 'close';
}

const statuses = {};
const latencies = []; // of the 2xx answers due inside the measured window
let errors = 0;
let sent = 0;
let due = 0;
let start = 0;
let measuringFrom = 0;
let measuringUntil = 0;
let stopping = false;
let cpuFrom = null;
let cpuUntil = null;
const idle = [];
const backlog = []; // due times of requests waiting for a connection
let open = 0;

const inWindow = (t) => t >= measuringFrom && t < measuringUntil;

// Non-2xx answers are keyed by status and body size too, which tells the service's kinds of 503 apart
// (shed: "overloaded, retry later"; timed out in the queue or no connection: "database unavailable").
function record(dueAt, status, bodyLength) {
  if (!inWindow(dueAt)) return;
  const key = status >= 200 && status < 300 ? status : `${status}/${bodyLength}B`;
  statuses[key] = (statuses[key] || 0) + 1;
  if (status >= 200 && status < 300) latencies.push(performance.now() - dueAt);
}

function connect() {
  open += 1;
  const socket = net.connect({ port: PORT, host: '127.0.0.1', noDelay: true });
  let buffer = null;
  let dueAt = 0; // the request in flight on this socket, or 0
  let headerEnd = -1;
  let bodyLength = 0;
  socket.send = (when) => {
    dueAt = when;
    if (inWindow(when)) sent += 1;
    socket.write(REQUEST);
  };
  socket.on('connect', () => next(socket));
  socket.on('data', (chunk) => {
    buffer = buffer === null ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (headerEnd < 0) {
        headerEnd = buffer.indexOf(HEADER_END);
        if (headerEnd < 0) return;
        bodyLength = contentLength(buffer, headerEnd);
        socket.bodyLength = bodyLength;
        socket.closeAfter = hasConnectionClose(buffer, headerEnd);
        socket.status = (buffer[9] - 48) * 100 + (buffer[10] - 48) * 10 + (buffer[11] - 48);
      }
      const total = headerEnd + 4 + bodyLength;
      if (buffer.length < total) return;
      buffer = buffer.length === total ? null : buffer.subarray(total);
      headerEnd = -1;
      const when = dueAt;
      dueAt = 0;
      record(when, socket.status, socket.bodyLength);
      if (socket.closeAfter) {
        socket.destroy();
        return;
      }
      next(socket);
      if (buffer === null) return;
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    open -= 1;
    const i = idle.indexOf(socket);
    if (i >= 0) idle.splice(i, 1);
    if (dueAt !== 0) {
      if (inWindow(dueAt)) errors += 1;
      dueAt = 0;
    }
    if (!stopping && RATE === 0) connect();
    else if (!stopping && backlog.length > 0 && open < MAX_CONNECTIONS) connect();
  });
}

// A connection is free: it takes the oldest waiting request, or (closed loop) a new one, or idles.
function next(socket) {
  if (stopping) return socket.destroy();
  if (RATE === 0) return socket.send(performance.now());
  if (backlog.length > 0) return socket.send(backlog.shift());
  idle.push(socket);
}

// Open loop: every millisecond, the requests that have come due since the last tick go out.
function tick() {
  const now = performance.now();
  const target = Math.floor(((now - start) * RATE) / 1000);
  while (due < target) {
    const when = start + (due * 1000) / RATE;
    due += 1;
    const socket = idle.pop();
    if (socket) socket.send(when);
    else {
      backlog.push(when);
      if (open < MAX_CONNECTIONS) connect();
    }
  }
}

// CPU in the measured window, in cores (CPU seconds per second): this process's own from
// process.cpuUsage(), the others' from /proc.
function cpuSnapshot() {
  const { user, system } = process.cpuUsage();
  return { ...cpu.snapshot(PIDS), self: (user + system) / 1e6, at: performance.now() };
}

function cpuCores(from, until) {
  const seconds = (until.at - from.at) / 1000;
  const cores = { loadgen: (until.self - from.self) / seconds };
  for (const name of Object.keys(PIDS)) cores[name] = (until.processes[name] - from.processes[name]) / seconds;
  cores.machine = (until.machine.busy - from.machine.busy) / seconds;
  return Object.fromEntries(Object.entries(cores).map(([k, v]) => [k, Number(v.toFixed(3))]));
}

function finish() {
  stopping = true;
  const seconds = (measuringUntil - measuringFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : null);
  let ok = 0;
  let other = 0;
  for (const [key, n] of Object.entries(statuses)) (/^2\d\d$/.test(key) ? (ok += n) : (other += n));
  // Requests due in the window that got no answer before the end count as unanswered.
  const answered = ok + other + errors;
  const offered = RATE > 0 ? RATE : answered / seconds;
  process.stdout.write(`${JSON.stringify({
    offered,
    sent: sent / seconds,
    ok: ok / seconds,
    other: other / seconds,
    errors,
    unanswered: Math.max(0, Math.round(RATE > 0 ? offered * seconds - answered : 0)),
    statuses,
    p50: pct(0.5),
    p99: pct(0.99),
    connections: open,
    cpu: cpuCores(cpuFrom, cpuUntil),
  })}\n`);
  process.exit(0);
}

start = performance.now();
measuringFrom = start + WARMUP_MS;
measuringUntil = measuringFrom + DURATION_MS;
if (RATE > 0) {
  setInterval(tick, 1);
  for (let i = 0; i < Math.min(CONNECTIONS, MAX_CONNECTIONS); i++) connect();
} else {
  for (let i = 0; i < CONNECTIONS; i++) connect();
}
setTimeout(() => (cpuFrom = cpuSnapshot()), WARMUP_MS);
setTimeout(() => (cpuUntil = cpuSnapshot()), WARMUP_MS + DURATION_MS);
// Answers still due at the end of the window get a grace period, then the run ends.
setTimeout(finish, WARMUP_MS + DURATION_MS + 1000);
