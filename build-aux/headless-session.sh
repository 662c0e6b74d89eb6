#!/usr/bin/env bash
# headless-session.sh: runs a command inside a private desktop session made for tests:
# Xvfb, a D-Bus session bus, gnome-keyring's Secret Service (unlocked), dunst, and Redis
# when asked; everything is torn down afterwards and nothing is left running.
#
# usage: build-aux/headless-session.sh [--redis] [--keep-dir] -- COMMAND [ARG...]
#
# Exported to COMMAND: DISPLAY, DBUS_SESSION_BUS_ADDRESS, HOME and XDG_* (in a temporary
# directory), BEACON_SESSION_DIR, and with --redis BEACON_TEST_REDIS_PORT.
set -euo pipefail

want_redis=0
keep_dir=0
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) want_redis=1; shift ;;
    --keep-dir) keep_dir=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "headless-session: no command given" >&2; exit 2; }

for tool in Xvfb dbus-daemon gnome-keyring-daemon dunst gdbus; do
  command -v "$tool" >/dev/null || { echo "headless-session: $tool is missing (see README)" >&2; exit 2; }
done

session_dir=$(mktemp -d "${TMPDIR:-/tmp}/beacon-session.XXXXXX")
# Every process of this session, D-Bus activated ones included, inherits this marker, which
# is how teardown finds them all.
export BEACON_SESSION_ID="beacon-session-$$-$RANDOM"
export BEACON_SESSION_DIR="$session_dir"

started=()

log() { printf 'headless-session: %s\n' "$*" >&2; }

session_pids() {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    [ "$pid" = "${BASHPID:-}" ] && continue
    if { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qx "BEACON_SESSION_ID=$BEACON_SESSION_ID"; then
      # skip our own subshells (they share the marker but are children of this script)
      [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = $$ ] && [ "$(cat "$p/comm" 2>/dev/null)" = bash ] && continue
      echo "$pid"
    fi
  done
  # Started by this script, whether or not they kept the marker (redis-server rewrites its
  # environment block when it sets its process title).
  for pid in "${started[@]}"; do
    [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && echo "$pid"
  done
  return 0
}

teardown() {
  local status=$? pids left i
  trap - EXIT INT TERM
  pids=$(session_pids)
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  for i in $(seq 50); do
    left=$(session_pids)
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    kill -KILL $left 2>/dev/null || true
    sleep 0.2
    left=$(session_pids)
  fi
  if [ -n "$left" ]; then
    log "processes left behind: $left"
    [ $status = 0 ] && status=1
  fi
  if [ $keep_dir = 1 ]; then log "session files kept in $session_dir"; else rm -rf "$session_dir"; fi
  exit $status
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait for a condition (a shell command) for up to $1 tenths of a second.
wait_for() {
  local tenths=$1 i; shift
  for ((i = 0; i < tenths; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

export HOME="$session_dir/home"
export XDG_RUNTIME_DIR="$session_dir/runtime"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache" XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY SESSION_MANAGER DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export GDK_BACKEND=x11
export GSETTINGS_BACKEND=keyfile
export NO_AT_BRIDGE=${NO_AT_BRIDGE:-0}

# X server: Xvfb picks a free display number and writes it to fd 8.
Xvfb -displayfd 8 -screen 0 1280x1024x24 -nolisten tcp -noreset 8>"$session_dir/display" \
  >"$session_dir/xvfb.log" 2>&1 &
started+=($!)
wait_for 100 test -s "$session_dir/display" || { log "Xvfb did not start"; cat "$session_dir/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$session_dir/display")"

# Session bus.
dbus-daemon --session --nofork --print-address=9 --address="unix:path=$XDG_RUNTIME_DIR/bus" \
  9>"$session_dir/bus-address" >"$session_dir/dbus.log" 2>&1 &
started+=($!)
wait_for 100 test -s "$session_dir/bus-address" || { log "dbus-daemon did not start"; cat "$session_dir/dbus.log" >&2; exit 1; }
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$session_dir/bus-address")
export DBUS_SESSION_BUS_ADDRESS

name_has_owner() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$1" | grep -q true
}

# Secret Service, unlocked with a throwaway password (piped, so it never prompts).
printf '%s' "beacon-test" | gnome-keyring-daemon --foreground --unlock --components=secrets \
  >"$session_dir/keyring.log" 2>&1 &
started+=($!)
wait_for 100 name_has_owner org.freedesktop.secrets || { log "gnome-keyring did not start"; cat "$session_dir/keyring.log" >&2; exit 1; }

# Notification daemon.
dunst >"$session_dir/dunst.log" 2>&1 &
started+=($!)
wait_for 100 name_has_owner org.freedesktop.Notifications || { log "dunst did not start"; cat "$session_dir/dunst.log" >&2; exit 1; }

if [ $want_redis = 1 ]; then
  command -v redis-server >/dev/null || { log "redis-server is missing"; exit 2; }
  redis_sock="$session_dir/redis.sock"
  # Port 0 would disable TCP; pick a free port by asking the kernel.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --unixsocket "$redis_sock" --dir "$session_dir" >"$session_dir/redis.log" 2>&1 &
  started+=($!)
  wait_for 100 redis-cli -s "$redis_sock" ping || { log "redis did not start"; cat "$session_dir/redis.log" >&2; exit 1; }
  export BEACON_TEST_REDIS_PORT=$port
fi

set +e
"$@"
status=$?
set -e
exit $status
