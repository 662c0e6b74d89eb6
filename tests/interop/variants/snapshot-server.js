// snapshot-server.js: a backend in the style of many Socket.IO chat tutorials: MySQL-like
// numeric ids, one map of sockets, and the whole map broadcast as presence:update.
//
// PROTOCOL.md 9 variants: numeric user ids; `presence:update` {"onlineUsers":[...]} as a full
// snapshot with one entry per socket (`socketId`, `chattingWith` that may name a third
// party, `lastActive` in epoch milliseconds); statuses "active" and "dnd"; REST hydration
// with `statuses` only; no `version` anywhere. Tokens: HS256 with a numeric `id`, 7 days.
'use strict';

const { people, signJwt, verifyJwt, serve, loginRoute } = require('./common');

const SECRET = 'tutorial-secret-change-me';
const users = people.map((p, i) => ({ ...p, id: i + 1 }));
const byId = new Map(users.map((u) => [u.id, u]));

// socketId -> { userId, socketId, status, chattingWith, lastActive }: real sockets and the
// simulated devices of the other people. Ben is on two devices, Dan busy, Cat offline.
const online = new Map();
function addDevice(entry) {
  online.set(entry.socketId, entry);
}
addDevice({ userId: 2, socketId: 'sim-2-phone', status: 'active', chattingWith: 3, lastActive: 1763892000000 });
addDevice({ userId: 2, socketId: 'sim-2-laptop', status: 'away', chattingWith: null, lastActive: 1763891000000 });
addDevice({ userId: 4, socketId: 'sim-4-laptop', status: 'dnd', chattingWith: null, lastActive: 1763893000000 });

const broadcast = () => io.emit('presence:update', { onlineUsers: [...online.values()] });

function authenticate(token) {
  const payload = verifyJwt(token, SECRET);
  return payload ? byId.get(payload.id) || null : null;
}

function isOnline(id) {
  for (const entry of online.values()) if (entry.userId === id) return true;
  return false;
}

// {"user","status","chattingWith","at"}: "offline" closes every simulated device of the
// user; any other status (or chattingWith alone) sets the user's first device, opening it.
function control(cmd) {
  const socketId = `sim-${cmd.user}-phone`;
  if (cmd.status === 'offline') {
    for (const [id, entry] of online) if (entry.userId === cmd.user && id.startsWith('sim-')) online.delete(id);
  } else {
    const entry = online.get(socketId) || { userId: cmd.user, socketId, status: 'active', chattingWith: null };
    if (cmd.status) entry.status = cmd.status;
    if (cmd.chattingWith !== undefined) entry.chattingWith = cmd.chattingWith;
    entry.lastActive = cmd.at ?? Date.now();
    online.set(socketId, entry);
  }
  broadcast();
}

const routes = {
  'POST /api/auth/login public': loginRoute(users, (u) => ({
    token: signJwt({ id: u.id, email: u.email, exp: Math.floor(Date.now() / 1000) + 7 * 86400 }, SECRET),
    user: { id: u.id, name: u.name, email: u.email, role: u.role },
  })),
  'GET /api/me': (u) => ({ user: { id: u.id, name: u.name, email: u.email, role: u.role } }),
  'GET /api/friends': (u) => ({
    data: { friends: users.filter((f) => f.id !== u.id).map((f) => ({ id: f.id, name: f.name, role: f.role, avatar_url: null })) },
  }),
  'GET /api/friends/online-status': (u) => ({
    success: true,
    data: { statuses: Object.fromEntries(users.filter((f) => f.id !== u.id).map((f) => [f.id, isOnline(f.id)])) },
  }),
  'GET /api/conversations': () => [],
};

const io = serve({
  authenticate,
  routes,
  control,
  connection(socket) {
    addDevice({ userId: socket.data.user.id, socketId: socket.id, status: 'active', chattingWith: null, lastActive: Date.now() });
    broadcast();
    socket.on('chat:focus', (payload) => {
      online.get(socket.id).chattingWith = payload && payload.partnerId !== undefined ? Number(payload.partnerId) : null;
      broadcast();
    });
    socket.on('chat:blur', () => {
      online.get(socket.id).chattingWith = null;
      broadcast();
    });
    socket.on('disconnect', () => {
      online.delete(socket.id);
      broadcast();
    });
  },
});
