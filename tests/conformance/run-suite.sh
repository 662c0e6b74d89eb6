#!/usr/bin/env bash
# run-suite.sh: runs an official protocol test suite against its fixture on port 3000: the
# Engine.IO v4 suite against eio-echo-server, or the Socket.IO v5 suite against sio-fixture.
#
# usage: tests/conformance/run-suite.sh eio|sio PROTOCOL_REPO BUILDDIR
#   eio|sio        which suite: socketio/engine.io-protocol or socketio/socket.io-protocol
#   PROTOCOL_REPO  a checkout of that repository, or a bare git mirror of it
#   BUILDDIR       a meson build directory of this tree (with tests/conformance built)
# Needs node and npm; not part of `meson test`. The suite is copied to a temporary
# directory and run there; nothing of it enters this tree.
set -euo pipefail
usage="usage: $0 eio|sio PROTOCOL_REPO BUILDDIR"
kind=${1:?$usage}
src=${2:?$usage}
build=${3:?$usage}
case "$kind" in
  eio) server="$build/tests/conformance/eio-echo-server" ;;
  sio) server="$build/tests/conformance/sio-fixture" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
[ -x "$server" ] || { echo "no $server: build it first (ninja -C $build)"; exit 1; }
server=$(realpath "$server")
src=$(realpath "$src")

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
  kill -0 "$pid" 2>/dev/null || { echo "the fixture did not start:"; cat "$work/server.log"; exit 1; }
  sleep 0.1
done
npx mocha test-suite.js
