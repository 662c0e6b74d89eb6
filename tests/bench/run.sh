#!/usr/bin/env bash
# run.sh: one presence benchmark run: a (cached) graph from the shared gen-graph.js, the chosen
# server pinned to one CPU, the C load generator (bench-load) on another, the figures, then stop.
#
# usage: [N=1000] [K=20] [R=200] [D=20] [PORT=24940] [SERVER=beacon|node] tests/bench/run.sh
#
# Other environment (defaults in brackets):
#   BUILDDIR      meson build directory holding bench-load and beacon-server [/tmp/b-bench]
#   BENCH_DIR     the shared Node bench: load/gen-graph.js, load/graph-to-import.js,
#                 node-anchor/server.js [../shared/bench beside the repository]
#   NODE_WORK     where the Node parts are copied and `npm ci`-ed, so that nothing is written
#                 into BENCH_DIR [/tmp/beacon-bench-node]
#   WORK          graph, tokens, database and logs, cached per N, K, SEED [/tmp/beacon-bench/N..-K..-S..]
#   RESULTS       result files: the loadgen's text and its JSON line [/tmp/beacon-bench/results]
#   SEED [1], BENCH_SECRET [beacon-bench-secret], SERVER_CPUS [0], LOAD_CPUS [1] (taskset lists;
#   empty = unpinned), LOAD_ARGS (more bench-load options, e.g. "--connect-rate 2000"),
#   LO_RPS_CPUS [unset] (a hex CPU mask, e.g. 2 for CPU 1: steer the loopback's TCP input to the
#   load generator's CPU, as on a real network where each client's kernel does its own; needs
#   root, and the previous mask is put back at the end).
set -euo pipefail

N=${N:-1000}
K=${K:-20}
R=${R:-200}
D=${D:-20}
PORT=${PORT:-24940}
SERVER=${SERVER:-beacon}
SEED=${SEED:-1}
BENCH_SECRET=${BENCH_SECRET:-beacon-bench-secret}
BUILDDIR=${BUILDDIR:-/tmp/b-bench}
# The shared bench/ sits beside the repository (../shared/bench from its top).
BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/bench}
NODE_WORK=${NODE_WORK:-/tmp/beacon-bench-node}
WORK=${WORK:-/tmp/beacon-bench/N$N-K$K-S$SEED}
RESULTS=${RESULTS:-/tmp/beacon-bench/results}
LOAD_ARGS=${LOAD_ARGS:-}
LO_RPS_CPUS=${LO_RPS_CPUS:-}
RPS_FILE=/sys/class/net/lo/queues/rx-0/rps_cpus
if [ "$(nproc)" -ge 2 ]; then
  SERVER_CPUS=${SERVER_CPUS-0}
  LOAD_CPUS=${LOAD_CPUS-1}
else
  SERVER_CPUS=${SERVER_CPUS-}
  LOAD_CPUS=${LOAD_CPUS-}
fi

LOADGEN=$BUILDDIR/tests/bench/bench-load
BEACON_SERVER=$BUILDDIR/src/server/beacon-server
case "$SERVER" in
  beacon) [ -x "$BEACON_SERVER" ] || { echo "run.sh: no $BEACON_SERVER (build first)" >&2; exit 1; } ;;
  node) ;;
  *) echo "run.sh: SERVER must be beacon or node, not '$SERVER'" >&2; exit 2 ;;
esac
[ -x "$LOADGEN" ] || { echo "run.sh: no $LOADGEN (build first)" >&2; exit 1; }

pin() { # pin CPUS CMD... : exec CMD on CPUS (unpinned when CPUS is empty)
  local cpus=$1
  shift
  if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

# Many sockets per process: raise the fd limit as far as allowed.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -le "$((N + 100))" ]; then
  echo "run.sh: warning: fd limit $(ulimit -n) is too low for $N sockets in one process" >&2
fi

# The Node parts, copied out of BENCH_DIR (npm ci writes node_modules beside package.json).
node_setup() { # node_setup DIR
  local dir=$1
  if [ ! -d "$NODE_WORK/$dir/node_modules" ] || ! cmp -s "$BENCH_DIR/$dir/package-lock.json" "$NODE_WORK/$dir/package-lock.json"; then
    rm -rf "${NODE_WORK:?}/$dir"
    mkdir -p "$NODE_WORK"
    cp -r "$BENCH_DIR/$dir" "$NODE_WORK/$dir"
    chmod -R u+w "$NODE_WORK/$dir"
    (cd "$NODE_WORK/$dir" && npm ci --no-audit --no-fund >"$NODE_WORK/npm-$dir.log" 2>&1) ||
      { echo "run.sh: npm ci failed in $NODE_WORK/$dir, see $NODE_WORK/npm-$dir.log" >&2; exit 1; }
  fi
}
node_setup load
if [ "$SERVER" = node ]; then node_setup node-anchor; fi

# The graph and tokens, cached in WORK and made again when a parameter changed (as run-anchor.sh).
mkdir -p "$WORK" "$RESULTS"
PARAMS="N=$N K=$K SEED=$SEED secret=$(printf %s "$BENCH_SECRET" | sha256sum | cut -c1-16)"
if [ "$(cat "$WORK/params" 2>/dev/null)" != "$PARAMS" ] || [ ! -s "$WORK/graph.json" ] || [ ! -s "$WORK/tokens.json" ]; then
  rm -rf "$WORK/beacon-import"
  N=$N K=$K SEED=$SEED BENCH_SECRET=$BENCH_SECRET OUT_DIR=$WORK node "$NODE_WORK/load/gen-graph.js"
  echo "$PARAMS" >"$WORK/params"
fi

SERVER_LOG=$WORK/server-$SERVER.log
if [ "$SERVER" = beacon ]; then
  # As beacon-server-cmd.sh: the graph in beacon-server's import format, imported once into a
  # pristine database that every run copies (a run writes last_seen into its copy).
  import=$WORK/beacon-import
  if [ ! -s "$import/pristine.db" ]; then
    rm -rf "$import"
    mkdir -p "$import"
    node "$BENCH_DIR/load/graph-to-import.js" "$WORK/graph.json" "$WORK/tokens.json" >"$import/import.json"
    BEACON_PASSWORD_FAST=1 "$BEACON_SERVER" admin --db "$import/build.db" import "$import/import.json" >/dev/null
    # The import closed the database, so SQLite checkpointed its WAL: one file holds it all.
    [ ! -s "$import/build.db-wal" ] || { echo "run.sh: the import left a WAL behind" >&2; exit 1; }
    mv "$import/build.db" "$import/pristine.db"
  fi
  run=$WORK/beacon-run
  rm -rf "$run"
  mkdir -p "$run"
  cp "$import/pristine.db" "$run/beacon.db"
  printf %s "$BENCH_SECRET" >"$run/secret"
  chmod 600 "$run/secret"
  (pin "$SERVER_CPUS" "$BEACON_SERVER" --listen "127.0.0.1:$PORT" --db "$run/beacon.db" \
    --jwt-secret-file "$run/secret") >"$SERVER_LOG" 2>&1 &
else
  (export PORT BENCH_SECRET GRAPH=$WORK/graph.json
    pin "$SERVER_CPUS" node "$NODE_WORK/node-anchor/server.js") >"$SERVER_LOG" 2>&1 &
fi
SERVER_PID=$!
RPS_BEFORE=
cleanup() {
  if [ -n "$RPS_BEFORE" ]; then echo "$RPS_BEFORE" >"$RPS_FILE" || true; fi
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if [ -n "$LO_RPS_CPUS" ]; then
  RPS_BEFORE=$(cat "$RPS_FILE")
  echo "$LO_RPS_CPUS" >"$RPS_FILE" || { echo "run.sh: cannot write $RPS_FILE (root?)" >&2; exit 1; }
fi

ready=0
for _ in $(seq 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ready=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run.sh: the server died:" >&2; cat "$SERVER_LOG" >&2; exit 1; }
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "run.sh: server not ready on port $PORT after 10 s" >&2; exit 1; }
sleep 1 # let the server finish its start-up work before the baseline RSS reading

echo "run.sh: $SERVER (pid $SERVER_PID, CPUs '$SERVER_CPUS'), N=$N K=$K R=$R D=$D, loadgen CPUs '$LOAD_CPUS', loopback RPS '${LO_RPS_CPUS:-off}', fd limit $(ulimit -n)" >&2
OUT=$RESULTS/$SERVER-N$N-K$K-R$R-D$D-$(date +%Y%m%d-%H%M%S)
status=0
# shellcheck disable=SC2086 # LOAD_ARGS is a list of options
(pin "$LOAD_CPUS" "$LOADGEN" --graph "$WORK/graph.json" --tokens "$WORK/tokens.json" \
  --users "$N" --rate "$R" --duration "$D" --port "$PORT" --server-pid "$SERVER_PID" \
  --label "$SERVER" $LOAD_ARGS) >"$OUT.txt" || status=$?
cat "$OUT.txt"
tail -n 1 "$OUT.txt" >"$OUT.json"
echo "run.sh: results in $OUT.txt and $OUT.json" >&2
exit "$status"
