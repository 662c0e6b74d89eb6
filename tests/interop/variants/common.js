// common.js: what the variant backends share: HS256 tokens, JSON over node:http, the
// control route tests use to change someone's presence, and start-up on a loopback port.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');

// The people every variant knows, in the order the tests name them; each variant gives
// them ids of its own kind. The first signs in with "pw"; the others are simulated.
const people = [
  { name: 'Ann', email: 'ann@example.com', role: 'CLIENT' },
  { name: 'Ben', email: 'ben@example.com', role: 'FREELANCER' },
  { name: 'Cat', email: 'cat@example.com', role: 'CLIENT' },
  { name: 'Dan', email: 'dan@example.com', role: 'FREELANCER' },
];
const PASSWORD = 'pw';

const b64url = (data) => Buffer.from(data).toString('base64url');

function hmac(secret, text) {
  return crypto.createHmac('sha256', secret).update(text).digest('base64url');
}

// A JWT as jsonwebtoken's sign() writes it; `iat` is added, `exp` only when given.
function signJwt(payload, secret) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ ...payload, iat: Math.floor(Date.now() / 1000) }));
  return `${head}.${body}.${hmac(secret, `${head}.${body}`)}`;
}

// The payload of a well-signed, unexpired HS256 token, or null.
function verifyJwt(token, secret) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = Buffer.from(hmac(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (head.alg !== 'HS256') return null;
    if (typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now()) return null;
    return payload;
  } catch {
    return null;
  }
}

function bearer(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
  return m ? m[1] : null;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
      if (text.length > 65536) req.destroy();
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(text || 'null'));
      } catch {
        resolve(null);
      }
    });
  });
}

/**
 * Starts a backend on 127.0.0.1, a free port, and prints that port alone on a line.
 * It stops when its standard input closes (the test that started it is gone).
 *
 * options.transports: Engine.IO transports (default both)
 * options.authenticate(token): the user a token names, or null; REST reads the token from
 *   "Authorization: Bearer", the socket from its CONNECT auth {"token"}
 * options.routes: { 'GET /api/friends': (user, body) => answer, ... } where an answer is
 *   a JSON value, or [status, value]; a route whose key ends in ' public' needs no token
 * options.control(command): applies POST /test/presence {"user",...} and returns what to
 *   answer; it runs synchronously, so every event it emits is sent before the answer
 * options.connection(socket): a socket whose token was good connected (socket.data.user);
 *   the others were refused with the CONNECT_ERROR "unauthorized"
 * Returns the Socket.IO server.
 */
function serve(options) {
  const server = http.createServer(async (req, res) => {
    const path = req.url.split('?')[0];
    const key = `${req.method} ${path}`;
    const body = req.method === 'POST' || req.method === 'PATCH' ? await readJson(req) : null;

    if (key === 'POST /test/presence') {
      if (!body || body.user === undefined) return send(res, 400, { error: 'user missing' });
      return send(res, 200, options.control(body) ?? { ok: true });
    }
    let route = options.routes[`${key} public`];
    let user = null;
    if (!route) {
      route = options.routes[key];
      if (!route) return send(res, 404, { error: { code: 'not_found', message: `no route ${key}` } });
      user = options.authenticate(bearer(req));
      if (!user) return send(res, 401, { error: { code: 'token_invalid', message: 'Unauthorized' } });
    }
    const answer = route(user, body);
    if (Array.isArray(answer) && answer.length === 2 && typeof answer[0] === 'number')
      return send(res, answer[0], answer[1]);
    return send(res, 200, answer);
  });

  const io = new Server(server, {
    path: '/api/socket',
    serveClient: false,
    transports: options.transports || ['polling', 'websocket'],
  });
  io.use((socket, next) => {
    const user = options.authenticate(socket.handshake.auth && socket.handshake.auth.token);
    if (!user) return next(new Error('unauthorized'));
    socket.data.user = user;
    next();
  });
  io.on('connection', options.connection);

  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  return io;
}

// The login route every variant has: email and password of `people`, answered by
// answer(person) with whatever shape that backend uses.
function loginRoute(world, answer) {
  return (_user, body) => {
    const person = world.find((p) => body && p.email === body.email);
    if (!person || body.password !== PASSWORD)
      return [401, { error: { code: 'invalid_credentials', message: 'Wrong email or password' } }];
    return answer(person);
  };
}

module.exports = { people, signJwt, verifyJwt, serve, loginRoute };
