// nginx.test.js: beacon-server behind a real nginx that runs the shipped example site
// (data/beacon-server.nginx.conf) with a throwaway certificate: REST, the stock
// socket.io-client@4 over both transports, /metrics kept private, and X-Forwarded-For.
'use strict';

const { test: nodeTest, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const { createRequire } = require('node:module');

// Every test ends within 20 s, so a hang is a failure, not a stuck run.
const test = (name, fn) => nodeTest(name, { timeout: 20000 }, fn);

const NGINX = process.env.BEACON_NGINX;
const OPENSSL = process.env.BEACON_OPENSSL;
const SITE = process.env.BEACON_NGINX_SITE;
const INTEROP = process.env.BEACON_INTEROP_DIR;

function missing() {
  if (!NGINX) return 'nginx is not installed';
  if (!OPENSSL) return 'openssl is not installed';
  if (!fs.existsSync(path.join(INTEROP, 'node_modules', 'socket.io-client')))
    return 'tests/interop/node_modules is missing (npm ci there)';
  return null;
}

const skip = missing();
if (skip) {
  nodeTest('beacon-server behind nginx', { skip }, () => {});
} else {
  run();
}

function run() {
  const interopRequire = createRequire(path.join(INTEROP, 'package.json'));
  const { io } = interopRequire('socket.io-client');
  const { startBeaconServer, smallWorld } = interopRequire('./beacon-server.js');

  let server;
  let nginx;
  let nginxExited;
  let origin;
  let ca;
  const sockets = [];

  function once(emitter, event) {
    return new Promise((resolve) => emitter.once(event, resolve));
  }

  // The snapshot of presence:connected; fails at once on connect_error.
  function connected(socket) {
    return new Promise((resolve, reject) => {
      socket.once('presence:connected', resolve);
      socket.once('connect_error', (err) => reject(new Error(`connect_error: ${err.message}`)));
    });
  }

  function connect(opts) {
    const socket = io(`${origin}/`, { path: '/api/socket', reconnection: false, forceNew: true, ca, ...opts });
    sockets.push(socket);
    return socket;
  }

  // Ben connects (over WebSocket): a, Ann's socket, must receive his presence change.
  async function seesBenComeOnline(a) {
    const update = once(a, 'presence_updated');
    const b = connect({ auth: { token: server.token('b') }, transports: ['websocket'] });
    await connected(b);
    const record = await update;
    assert.equal(record.user_id, 'b');
    assert.equal(record.status, 'online');
    b.disconnect();
  }

  // One request on a fresh connection. Resolves to { status, body } (body parsed when JSON).
  function request(base, method, urlPath, { token, json, headers = {}, localAddress } = {}) {
    const url = new URL(urlPath, base);
    const lib = url.protocol === 'https:' ? https : http;
    const payload = json === undefined ? null : JSON.stringify(json);
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          ca,
          localAddress,
          agent: false,
          headers: {
            ...headers,
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'Content-Type': 'application/json' } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => {
            let body = text;
            if (/json/.test(res.headers['content-type'] || '')) body = JSON.parse(text);
            resolve({ status: res.statusCode, body });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  function login(email, password, opts = {}) {
    return request(origin, 'POST', '/api/auth/login', { json: { email, password }, ...opts });
  }

  // A port free on 127.0.0.1 and, when this machine has IPv6, on ::1 too.
  async function freePort() {
    const listen = (host, port) =>
      new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(port, host, () => resolve(s));
      });
    const close = (s) => new Promise((resolve) => s.close(resolve));
    const v4 = await listen('127.0.0.1', 0);
    const port = v4.address().port;
    let ipv6 = true;
    try {
      await close(await listen('::1', port));
    } catch (err) {
      if (err.code !== 'EADDRNOTAVAIL' && err.code !== 'EAFNOSUPPORT') throw err;
      ipv6 = false;
    }
    await close(v4);
    return { port, ipv6 };
  }

  // Replaces pattern in text, failing when the shipped site no longer has it.
  function substitute(text, pattern, replacement) {
    assert.match(text, pattern, `the shipped site has ${pattern}`);
    return text.replace(pattern, replacement);
  }

  // The shipped site with only its listen addresses (loopback, a free port), certificate
  // paths and upstream port changed, in a minimal nginx.conf that keeps every file in dir.
  function writeNginxConfig(dir, port, ipv6, upstreamPort) {
    let site = fs.readFileSync(SITE, 'utf8');
    site = substitute(site, /listen 443 ssl;/, `listen 127.0.0.1:${port} ssl;`);
    site = substitute(site, /listen \[::\]:443 ssl;/, ipv6 ? `listen [::1]:${port} ssl;` : '');
    site = substitute(site, /\/etc\/ssl\/certs\/beacon\.example\.org\.pem/, path.join(dir, 'cert.pem'));
    site = substitute(site, /\/etc\/ssl\/private\/beacon\.example\.org\.key/, path.join(dir, 'key.pem'));
    site = substitute(site, /http:\/\/127\.0\.0\.1:8080;/g, `http://127.0.0.1:${upstreamPort};`);
    fs.writeFileSync(path.join(dir, 'site.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((name) => `  ${name}_temp_path ${path.join(dir, 'temp', name)};`)
      .join('\n');
    fs.mkdirSync(path.join(dir, 'temp'));
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `daemon off;
master_process off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} notice;
events {
  worker_connections 256;
}
http {
  access_log ${path.join(dir, 'access.log')};
${temp}
  include ${path.join(dir, 'site.conf')};
}
`,
    );
  }

  // Resolves once nginx completes a TLS handshake on port (the certificate verified).
  async function waitForNginx(port, dir) {
    const deadline = Date.now() + 10000;
    let exited = false;
    nginxExited.then(() => {
      exited = true;
    });
    for (;;) {
      const ok = await new Promise((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca }, () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      const log = () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8');
      if (exited) assert.fail(`nginx exited:\n${log()}`);
      if (Date.now() > deadline) assert.fail(`nginx did not answer on ${port}:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stopNginx() {
    if (!nginx) return;
    nginx.kill('SIGTERM');
    const timer = setTimeout(() => nginx.kill('SIGKILL'), 5000);
    await nginxExited;
    clearTimeout(timer);
    nginx = null;
  }

  before(async () => {
    server = await startBeaconServer(smallWorld, {
      args: ['--trusted-proxy', '127.0.0.1'],
      env: { G_MESSAGES_DEBUG: 'BeaconServer' },
    });
    const dir = server.dir;
    execFileSync(OPENSSL, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    ca = fs.readFileSync(path.join(dir, 'cert.pem'));

    const { port, ipv6 } = await freePort();
    writeNginxConfig(dir, port, ipv6, new URL(server.url).port);
    nginx = spawn(NGINX, ['-p', `${dir}/`, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    nginxExited = new Promise((resolve) => {
      nginx.once('exit', resolve);
      nginx.once('error', resolve);
    });
    process.once('exit', () => nginx && nginx.kill('SIGKILL'));
    origin = `https://127.0.0.1:${port}`;
    await waitForNginx(port, dir);
  });

  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await stopNginx();
    if (server) assert.equal(await server.stop(), 0);
  });

  test('GET /healthz through the proxy, over verified TLS', async () => {
    const res = await request(origin, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });
  });

  test('REST: sign in, then the online status of the contacts', async () => {
    const res = await login('a@test', 'pw');
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, 'a');
    const status = await request(origin, 'GET', '/api/friends/online-status', { token: res.body.token });
    assert.equal(status.status, 200);
    assert.equal(status.body.success, true);
    assert.deepEqual(status.body.data.statuses, { b: false, f: false });
  });

  test('default transports: polling, the upgrade to WebSocket, and a contact coming online', async () => {
    const a = connect({ auth: { token: server.token('a') } });
    // The probe for the upgrade starts as the session opens: listen from there on.
    let first;
    const upgraded = new Promise((resolve, reject) => {
      a.io.once('open', () => {
        first = a.io.engine.transport.name;
        a.io.engine.once('upgrade', resolve);
        a.io.engine.once('upgradeError', reject);
      });
    });
    await connected(a);
    assert.equal(first, 'polling');
    await upgraded;
    assert.equal(a.io.engine.transport.name, 'websocket');
    await seesBenComeOnline(a);
    a.disconnect();
  });

  test('transports: [websocket]: a contact coming online', async () => {
    const a = connect({ auth: { token: server.token('a') }, transports: ['websocket'] });
    await connected(a);
    await seesBenComeOnline(a);
    a.disconnect();
  });

  test('/metrics is not served through the proxy', async () => {
    // The server itself serves it to this (loopback) client...
    const direct = await request(server.url, 'GET', '/metrics');
    assert.equal(direct.status, 200);
    assert.match(direct.body, /^# TYPE /m);
    // ...and would through a trusted proxy too: the site must not forward it.
    const proxied = await request(origin, 'GET', '/metrics');
    assert.equal(proxied.status, 404);
    assert.doesNotMatch(String(proxied.body), /# TYPE /);
  });

  test('X-Forwarded-For: the sign-in limit counts the client, not the proxy', async () => {
    // 10 attempts a minute per address: the 11th from 127.0.0.2 is refused...
    for (let i = 0; i < 10; i++) {
      const res = await login(`nobody${i}@test`, 'wrong', { localAddress: '127.0.0.2' });
      assert.equal(res.status, 401, `attempt ${i + 1} from 127.0.0.2`);
    }
    assert.equal((await login('nobody10@test', 'wrong', { localAddress: '127.0.0.2' })).status, 429);
    // ...also when it names another address itself (nginx appends the real one)...
    const forged = await login('nobody11@test', 'wrong', {
      localAddress: '127.0.0.2',
      headers: { 'X-Forwarded-For': '127.0.0.9' },
    });
    assert.equal(forged.status, 429);
    // ...while another client through the same proxy still signs in.
    const other = await login('a@test', 'pw', { localAddress: '127.0.0.3' });
    assert.equal(other.status, 200);
  });

  test("X-Forwarded-For: the server logs a WebSocket client's own address", async () => {
    const a = connect({ auth: { token: server.token('a') }, transports: ['websocket'], localAddress: '127.0.0.5' });
    await connected(a);
    a.disconnect();
    // GLib writes debug lines to stdout, which the server flushes when it exits.
    await stopNginx();
    const stopped = server;
    server = null;
    assert.equal(await stopped.stop(), 0);
    const log = stopped.log();
    // Every other client of these tests came from 127.0.0.1.
    const opened = [...log.matchAll(/session \S+: open over websocket from (\S+)$/gm)].map((m) => m[1]);
    assert.ok(opened.includes('127.0.0.5'), `sessions opened from ${opened.join(', ')}`);
  });
}
