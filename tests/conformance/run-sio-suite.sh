#!/usr/bin/env bash
# run-sio-suite.sh: runs the official Socket.IO v5 protocol test suite (socketio/socket.io-protocol,
# test-suite/) against sio-fixture on port 3000. Needs node and npm; not part of `meson test`.
#
# usage: tests/conformance/run-sio-suite.sh SOCKET_IO_PROTOCOL BUILDDIR
#   SOCKET_IO_PROTOCOL  a checkout of socketio/socket.io-protocol, or a bare git mirror of it
#   BUILDDIR            a meson build directory of this tree (with tests/conformance built)
set -euo pipefail
src=${1:?usage: $0 SOCKET_IO_PROTOCOL BUILDDIR}
build=${2:?usage: $0 SOCKET_IO_PROTOCOL BUILDDIR}
server="$build/tests/conformance/sio-fixture"
[ -x "$server" ] || { echo "no $server: build it first (ninja -C $build)"; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ -d "$src/test-suite" ]; then
  cp -r "$src/test-suite" "$work/"
else
  git -C "$src" archive HEAD test-suite | tar -x -C "$work"
fi
cd "$work/test-suite"
npm ci --no-audit --no-fund --loglevel=error

"$server" 3000 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/3000) 2>/dev/null && break
  sleep 0.1
done
npx mocha test-suite.js
