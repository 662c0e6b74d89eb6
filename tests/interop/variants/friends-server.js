// friends-server.js: a backend in the style of a social app's friend system: numeric ids,
// a room per user, and friend_status_changed sent to the rooms of the user's friends.
//
// PROTOCOL.md 9 variants: numeric user ids; `friend_status_changed`
// {"user_id","status":"online"|"offline","timestamp"} with epoch milliseconds; REST
// hydration with `statuses` only; nothing at all sent on connect; no `version`.
// Tokens: HS256 with `userId` and no `exp` (jwt.sign without expiresIn).
'use strict';

const { people, signJwt, verifyJwt, serve, loginRoute } = require('./common');

const SECRET = 'friends-app-jwt-secret';
const users = people.map((p, i) => ({ ...p, id: 101 + i }));
const byId = new Map(users.map((u) => [u.id, u]));

// Who is online: Ben and Dan (simulated), and whoever has a socket.
const online = new Set([102, 104]);
const sockets = new Map(); // userId -> number of connected sockets


function authenticate(token) {
  const payload = verifyJwt(token, SECRET);
  return payload ? byId.get(payload.userId) || null : null;
}

const friendsOf = (id) => users.filter((f) => f.id !== id).map((f) => f.id);

function announce(id, status, at) {
  if (status === 'online') online.add(id);
  else online.delete(id);
  const payload = { user_id: id, status, timestamp: at ?? Date.now() };
  for (const friend of friendsOf(id)) io.to(`user:${friend}`).emit('friend_status_changed', payload);
}

// {"user","status":"online"|"offline","at"}
function control(cmd) {
  announce(cmd.user, cmd.status, cmd.at);
}

const routes = {
  'POST /api/auth/login public': loginRoute(users, (u) => ({
    token: signJwt({ userId: u.id, email: u.email }, SECRET),
    user: { id: u.id, name: u.name, email: u.email, role: u.role },
  })),
  'GET /api/me': (u) => ({ user: { id: u.id, name: u.name, email: u.email, role: u.role } }),
  'GET /api/friends': (u) => ({
    data: { friends: friendsOf(u.id).map((id) => ({ id, name: byId.get(id).name, role: byId.get(id).role })) },
  }),
  'GET /api/friends/online-status': (u) => ({
    success: true,
    data: { statuses: Object.fromEntries(friendsOf(u.id).map((id) => [id, online.has(id)])) },
  }),
  'GET /api/conversations': () => [],
};

const io = serve({
  authenticate,
  routes,
  control,
  connection(socket) {
    const me = socket.data.user.id;
    socket.join(`user:${me}`);
    sockets.set(me, (sockets.get(me) || 0) + 1);
    if (sockets.get(me) === 1) announce(me, 'online');
    socket.on('disconnect', () => {
      sockets.set(me, sockets.get(me) - 1);
      if (sockets.get(me) === 0) announce(me, 'offline');
    });
  },
});
