#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs
# each for a given number of seconds, two at a time, merging new inputs into the corpus.
#
# usage: build-aux/fuzz.sh SECONDS [TARGET...]   (targets: json eio eio-payload sio jwt presence)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:?usage: build-aux/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json eio eio-payload sio jwt presence)

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzzing=enabled -Dapp=disabled -Dserver=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
fi
meson compile -C build-fuzz

mkdir -p build-fuzz/logs build-fuzz/artifacts
run_one() {
  local t=$1 fresh
  fresh=$(mktemp -d "$top/build-fuzz/new-$t.XXXXXX")
  # New inputs go to a scratch directory, then only those that add coverage are merged in.
  "build-fuzz/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$t-" -max_len=4096 \
    "$fresh" "tests/fuzz/corpus/$t" >"build-fuzz/logs/$t.log" 2>&1 || {
      echo "fuzz-$t: FAILED, see build-fuzz/logs/$t.log"; return 1; }
  "build-fuzz/tests/fuzz/fuzz-$t" -merge=1 "tests/fuzz/corpus/$t" "$fresh" \
    >"build-fuzz/logs/$t-merge.log" 2>&1
  rm -rf "$fresh"
  printf 'fuzz-%s: %s\n' "$t" "$(grep -E 'stat::number_of_executed_units' "build-fuzz/logs/$t.log" | awk '{print $2 " executions"}')"
}

status=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
