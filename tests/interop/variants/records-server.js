// records-server.js: a backend in the style of a presence service next to a MongoDB app:
// ObjectId strings as ids, a status per user, and bare snake_case records on the socket.
//
// PROTOCOL.md 9 variants: `presence_updated` {"user_id","status","last_seen"} and nothing
// else; `presence_info` arrays of the same, pushed on connect and answering `get_presence`;
// status "dnd"; ISO-8601 timestamps; REST hydration whose `presence` records have no
// `version`. Tokens: HS256 with `sub`, 1 hour.
'use strict';

const { people, signJwt, verifyJwt, serve, loginRoute } = require('./common');

const SECRET = 'presence-service-secret';
const users = people.map((p, i) => ({ ...p, id: `65a1f0c2e4b0a1b2c3d4e5f${i}` }));
const byId = new Map(users.map((u) => [u.id, u]));

// userId -> { status, last_seen }: Ben online, Cat offline since a known time, Dan "dnd".
const presence = new Map([
  [users[1].id, { status: 'online', last_seen: null }],
  [users[2].id, { status: 'offline', last_seen: '2026-11-23T09:15:00.000Z' }],
  [users[3].id, { status: 'dnd', last_seen: null }],
]);
const sockets = new Map(); // userId -> number of connected sockets

const record = (id) => ({ user_id: id, ...(presence.get(id) || { status: 'offline', last_seen: null }) });

function authenticate(token) {
  const payload = verifyJwt(token, SECRET);
  return payload ? byId.get(payload.sub) || null : null;
}

function setStatus(id, status, at, announce = true) {
  const entry = presence.get(id) || { status: 'offline', last_seen: null };
  entry.status = status;
  if (status === 'offline') entry.last_seen = new Date(at ?? Date.now()).toISOString();
  presence.set(id, entry);
  if (announce) io.emit('presence_updated', record(id));
}

// {"user","status","at","silent"}: the user's status becomes that, announced to everyone
// unless silent (then only get_presence tells it, as when an announcement was lost).
function control(cmd) {
  setStatus(cmd.user, cmd.status, cmd.at, !cmd.silent);
}

const friendsOf = (u) => users.filter((f) => f.id !== u.id);

const routes = {
  'POST /api/auth/login public': loginRoute(users, (u) => ({
    token: signJwt({ sub: u.id, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET),
    user: { id: u.id, name: u.name, email: u.email, role: u.role },
  })),
  'GET /api/me': (u) => ({ id: u.id, name: u.name, email: u.email, role: u.role, status: 'online' }),
  'GET /api/friends': (u) => friendsOf(u).map((f) => ({ id: f.id, name: f.name, role: f.role })),
  'GET /api/friends/online-status': (u) => ({
    success: true,
    data: {
      statuses: Object.fromEntries(friendsOf(u).map((f) => [f.id, record(f.id).status !== 'offline'])),
      presence: friendsOf(u).map((f) => record(f.id)),
    },
  }),
  'GET /api/conversations': () => ({ data: { conversations: [] } }),
};

const io = serve({
  authenticate,
  routes,
  control,
  connection(socket) {
    const me = socket.data.user.id;
    sockets.set(me, (sockets.get(me) || 0) + 1);
    if (sockets.get(me) === 1) setStatus(me, 'online');
    socket.emit('presence_info', friendsOf(socket.data.user).map((f) => record(f.id)));
    socket.on('get_presence', (ids, ack) => {
      const list = (Array.isArray(ids) ? ids : []).slice(0, 500).map((id) => record(String(id)));
      socket.emit('presence_info', list);
      if (typeof ack === 'function') ack(list);
    });
    socket.on('disconnect', () => {
      sockets.set(me, sockets.get(me) - 1);
      if (sockets.get(me) === 0) setStatus(me, 'offline');
    });
  },
});
