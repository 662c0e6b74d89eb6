// beacon-server.js: starts the real beacon-server ($BEACON_SERVER) for the Node tests, on a
// free loopback port with a temporary database holding a given world, and signs tokens.
'use strict';

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Ann (a, password "pw"), friend of Ben (b) and of the freelancer Fay (f).
const smallWorld = {
  users: [
    { id: 'a', email: 'a@test', name: 'Ann', role: 'CLIENT', password: 'pw' },
    { id: 'b', email: 'b@test', name: 'Ben', role: 'CLIENT' },
    { id: 'f', email: 'f@test', name: 'Fay', role: 'FREELANCER' },
  ],
  friendships: [
    ['a', 'b'],
    ['a', 'f'],
  ],
};

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

// HS256 tokens signed with the server's secret, as the server itself would issue them.
function signToken(secret, sub, lifetime = 3600) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub, id: sub, role: 'CLIENT', iat: now, exp: now + lifetime }));
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

// world: {"users":[...],"friendships":[...]} as "beacon-server admin import" takes it.
// args and env are added to the command line and the environment; secret is the token
// secret (random when not given). Resolves to { url, dir, log(), token(sub, lifetime),
// stop() }: log() is what the server wrote to stdout and stderr so far (GLib writes debug
// lines to stdout, buffered until the server exits), stop() sends SIGTERM and resolves to
// the exit status.
async function startBeaconServer(world, { args = [], env = {}, secret = crypto.randomBytes(24).toString('hex') } = {}) {
  const program = process.env.BEACON_SERVER;
  assert.ok(program, 'BEACON_SERVER names the beacon-server binary');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-node-'));
  const db = path.join(dir, 'beacon.db');
  const secretFile = path.join(dir, 'secret');
  fs.writeFileSync(secretFile, secret);
  fs.writeFileSync(path.join(dir, 'world.json'), JSON.stringify(world));
  const fullEnv = { ...process.env, BEACON_PASSWORD_FAST: '1', ...env };
  execFileSync(program, ['admin', '--db', db, 'import', path.join(dir, 'world.json')], { env: fullEnv });

  const child = spawn(program, ['--listen', '127.0.0.1:0', '--db', db, '--jwt-secret-file', secretFile, ...args], {
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // 'close': exited, and all its output read.
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(signal ? signal : code)));
  // Killed at once, its files removed, if the test process ends before stop() was called.
  const killOnExit = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let output = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    output += chunk;
    process.stderr.write(chunk);
  });

  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    exited.then((status) => reject(new Error(`beacon-server exited with ${status}:\n${output}`)));
  });

  return {
    url,
    dir,
    log: () => output,
    token: (sub, lifetime) => signToken(secret, sub, lifetime),
    async stop() {
      child.kill('SIGTERM');
      const status = await exited;
      process.removeListener('exit', killOnExit);
      fs.rmSync(dir, { recursive: true, force: true });
      return status;
    },
  };
}

module.exports = { startBeaconServer, signToken, smallWorld };
