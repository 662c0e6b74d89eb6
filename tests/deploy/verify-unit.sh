#!/bin/sh
# verify-unit.sh: "systemd-analyze verify" on beacon-server's systemd unit, configured with
# ExecStart in the build tree: it must pass without a single warning (TAP).
unit=$1

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "1..0 # SKIP systemd-analyze is not installed"
  exit 0
fi
echo "1..1"
out=$(systemd-analyze verify "$unit" 2>&1)
status=$?
if [ $status -eq 0 ] && [ -z "$out" ]; then
  echo "ok 1 - systemd-analyze verify $unit"
else
  echo "not ok 1 - systemd-analyze verify $unit (exit status $status)"
  printf '%s\n' "$out" | sed 's/^/# /'
fi
