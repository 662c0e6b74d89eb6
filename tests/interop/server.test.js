// server.test.js: beacon-server against the stock socket.io-client@4 (pinned in
// package-lock.json): both transports, CONNECT_ERROR codes, acks, and the guest namespace.
'use strict';

const { test: nodeTest, before, after } = require('node:test');

// Every test ends within 20 s, so a hang is a failure, not a stuck run.
const test = (name, fn) => nodeTest(name, { timeout: 20000 }, fn);
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { io } = require('socket.io-client');
const { startBeaconServer, signToken, smallWorld } = require('./beacon-server.js');

let server;
let url;
const secret = crypto.randomBytes(24).toString('hex');
const token = (sub, lifetime) => signToken(secret, sub, lifetime);

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

function connect(nsp, opts = {}) {
  return io(url + nsp, { path: '/api/socket', reconnection: false, forceNew: true, ...opts });
}

before(async () => {
  server = await startBeaconServer(smallWorld, { secret, env: { BEACON_GUEST_INTERVAL_MS: '200' } });
  url = server.url;
});

after(async () => {
  assert.equal(await server.stop(), 0);
});

test('default transports: polling first, then the upgrade to WebSocket', async () => {
  const socket = connect('/', { auth: { token: token('a') } });
  const snapshot = await once(socket, 'presence:connected');
  assert.equal(snapshot.userId, 'a');
  assert.ok(Array.isArray(snapshot.onlineUsers));
  if (socket.io.engine.transport.name !== 'websocket') await once(socket.io.engine, 'upgrade');
  assert.equal(socket.io.engine.transport.name, 'websocket');
  const ack = await socket.timeout(5000).emitWithAck('heartbeat');
  assert.equal(ack.ok, true);
  socket.disconnect();
});

test('polling only', async () => {
  const socket = connect('/', { auth: { token: token('a') }, transports: ['polling'] });
  await once(socket, 'presence:connected');
  const ack = await socket.timeout(5000).emitWithAck('heartbeat');
  assert.equal(ack.ok, true);
  assert.equal(socket.io.engine.transport.name, 'polling');
  socket.disconnect();
});

test('websocket only, presence deltas between two clients', async () => {
  const a = connect('/', { auth: { token: token('a') }, transports: ['websocket'] });
  await once(a, 'presence:connected');
  const update = once(a, 'presence_updated');
  const b = connect('/', { auth: { token: token('b') }, transports: ['websocket'] });
  const bConnected = once(b, 'presence:connected');
  assert.equal((await update).user_id, 'b');
  await bConnected;
  const green = once(a, 'presence_updated');
  const ack = await b.timeout(5000).emitWithAck('chat:focus', { partnerId: 'a' });
  assert.equal(ack.ok, true);
  assert.equal((await green).chatting_with_me, true);
  b.disconnect();
  a.disconnect();
});

for (const [label, auth, code] of [
  ['no token', {}, 'token_missing'],
  ['a malformed token', { token: 'x.y.z' }, 'token_invalid'],
  ['an expired token', { token: token('a', -60) }, 'token_expired'],
  ['an unknown user', { token: token('nobody') }, 'user_not_found'],
]) {
  test(`CONNECT_ERROR for ${label}`, async () => {
    const socket = connect('/', { auth, transports: ['websocket'] });
    const err = await once(socket, 'connect_error');
    assert.equal(err.message, 'unauthorized');
    assert.equal(err.data.code, code);
    socket.disconnect();
  });
}

test('a guest on /presence receives nothing but freelancer ids', async () => {
  const guest = connect('/presence');
  const first = await once(guest, 'presence:connected');
  assert.deepEqual(first.onlineFreelancerIds, []);
  const seen = [];
  guest.onAny((event, payload) => seen.push([event, payload]));
  const a = connect('/', { auth: { token: token('a') }, transports: ['websocket'] });
  const f = connect('/', { auth: { token: token('f') }, transports: ['websocket'] });
  const update = await once(guest, 'presence:update');
  assert.deepEqual(update.onlineFreelancerIds, ['f']);
  assert.deepEqual(Object.keys(update).sort(), ['onlineFreelancerIds', 'timestamp']);
  for (const [event, payload] of seen) {
    assert.match(event, /^presence:/);
    assert.doesNotMatch(JSON.stringify(payload), /Fay|last_seen|"a"/);
  }
  a.disconnect();
  f.disconnect();
  guest.disconnect();
});
