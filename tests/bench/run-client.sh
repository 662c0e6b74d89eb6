#!/usr/bin/env bash
# run-client.sh: the client benchmark: bench-client on libbeacon-client, pinned to one CPU,
# with the beacon-server of the same build (bench-client starts it for the idle window).
#
# usage: [BUILDDIR=/tmp/b-bench] [CPUS=1] tests/bench/run-client.sh [bench-client options]
#   e.g. tests/bench/run-client.sh --idle-seconds 300; --help lists the options.
#   CPUS is a taskset list (empty = unpinned).
set -euo pipefail

BUILDDIR=${BUILDDIR:-/tmp/b-bench}
if [ "$(nproc)" -ge 2 ]; then
  CPUS=${CPUS-1}
else
  CPUS=${CPUS-}
fi

export BEACON_SERVER="$BUILDDIR/src/server/beacon-server"
# Every allocation through malloc, so that mallinfo2 sees them all (GLib 2.74 still has
# slice magazines).
export G_SLICE=always-malloc
# Loopback only: no proxy look-ups (and no resolver threads waking up), as in the tests.
export GIO_USE_PROXY_RESOLVER=dummy

for f in "$BEACON_SERVER" "$BUILDDIR/tests/bench/bench-client"; do
  [ -x "$f" ] || { echo "run-client.sh: $f is missing: build $BUILDDIR first" >&2; exit 1; }
done

if [ -n "$CPUS" ]; then
  exec taskset -c "$CPUS" "$BUILDDIR/tests/bench/bench-client" "$@"
fi
exec "$BUILDDIR/tests/bench/bench-client" "$@"
