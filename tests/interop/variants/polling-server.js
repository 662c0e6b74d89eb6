// polling-server.js: a backend configured with transports: ['polling'], as behind a load
// balancer that cannot pass WebSockets: every byte goes by HTTP long-polling.
//
// PROTOCOL.md 9 variants: polling only; numeric user ids; `presence:connected` and
// `presence_updated` records in the canonical shape but with status "active", epoch
// milliseconds for `last_seen` and `last_active`, and no `version`. Tokens: opaque random
// session tokens kept in memory (no JWT).
'use strict';

const crypto = require('node:crypto');
const { people, serve, loginRoute } = require('./common');

const users = people.map((p, i) => ({ ...p, id: 7001 + i }));
const byId = new Map(users.map((u) => [u.id, u]));
const sessions = new Map(); // token -> userId

// userId -> { status, last_seen, last_active }: Ben active, Cat offline, Dan away.
const presence = new Map([
  [7002, { status: 'active', last_seen: null, last_active: 1763892000000 }],
  [7003, { status: 'offline', last_seen: 1763880000000, last_active: 1763879000000 }],
  [7004, { status: 'away', last_seen: null, last_active: 1763890000000 }],
]);

const friendsOf = (id) => users.filter((f) => f.id !== id).map((f) => f.id);
const stateOf = (id) => presence.get(id) || { status: 'offline', last_seen: null, last_active: null };
const record = (id) => ({ user_id: id, ...stateOf(id), chatting_with_me: false, custom_message: null, role: byId.get(id).role });

const authenticate = (token) => byId.get(sessions.get(token)) || null;

// {"user","status","at"}: "offline" sets last_seen to `at`, anything else last_active.
function control(cmd) {
  const entry = { ...stateOf(cmd.user), status: cmd.status };
  if (cmd.status === 'offline') entry.last_seen = cmd.at ?? Date.now();
  else entry.last_active = cmd.at ?? Date.now();
  presence.set(cmd.user, entry);
  io.emit('presence_updated', record(cmd.user));
}

const routes = {
  'POST /api/auth/login public': loginRoute(users, (u) => {
    const token = crypto.randomBytes(24).toString('hex');
    sessions.set(token, u.id);
    return { token, user: { id: u.id, name: u.name, email: u.email, role: u.role } };
  }),
  'GET /api/me': (u) => ({ id: u.id, name: u.name, email: u.email, role: u.role }),
  'GET /api/friends': (u) => ({
    data: { friends: friendsOf(u.id).map((id) => ({ id, name: byId.get(id).name, role: byId.get(id).role })) },
  }),
  'GET /api/friends/online-status': (u) => ({
    success: true,
    data: {
      statuses: Object.fromEntries(friendsOf(u.id).map((id) => [id, stateOf(id).status !== 'offline'])),
      presence: friendsOf(u.id).map(record),
    },
  }),
  'GET /api/conversations': () => [],
};

const io = serve({
  transports: ['polling'],
  authenticate,
  routes,
  control,
  connection(socket) {
    const me = socket.data.user.id;
    const onlineUsers = friendsOf(me)
      .filter((id) => stateOf(id).status !== 'offline')
      .map((id) => ({ userId: id, role: byId.get(id).role, status: stateOf(id).status, lastActive: stateOf(id).last_active, chattingWith: null }));
    socket.emit('presence:connected', { userId: me, onlineUsers });
    socket.on('heartbeat', (ack) => {
      if (typeof ack === 'function') ack({ ok: true, serverTime: new Date().toISOString() });
    });
  },
});
