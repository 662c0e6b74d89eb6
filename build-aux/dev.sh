#!/usr/bin/env bash
# dev.sh: the two commands of the README. "run" sets up, builds and runs the Beacon demo;
# "test" sets up, builds and runs the whole test suite in a headless session.
#
# usage: build-aux/dev.sh run | test [--no-sanitize]
#   run   install what is missing, build into build/, start beacon-server --demo on
#         127.0.0.1:8080 (BEACON_DEMO_PORT) with simulated people, then the app
#   test  install what is missing, build into build-test/ (warnings are errors), run every
#         suite in a headless session; then build-sanitize/ (ASan + UBSan, with clang when
#         available, which also builds the libFuzzer targets) and run the suites again
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian 12 packages, one concern per line.
packages=(
  build-essential meson ninja-build pkg-config gettext python3
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libsecret-1-dev
  libgtk-4-dev libadwaita-1-dev
  libuv1-dev libsqlite3-dev libsodium-dev libhttp-parser-dev libhiredis-dev
  desktop-file-utils appstream libglib2.0-bin
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools dunst at-spi2-core redis-server imagemagick
  haskell-status-notifier-item-utils
  clang libclang-rt-14-dev
  # tests/deploy: systemd-analyze, and nginx with a throwaway certificate. The test runs its
  # own nginx on a free loopback port; the packaged one (started on port 80 where
  # policy-rc.d allows it) is neither needed nor touched.
  systemd nginx openssl
)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_packages() {
  local missing=() p
  # Node.js runs the interop tests; the machine's own (newer) one is used when present.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    log "Installing ${#missing[@]} Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Beacon needs these Debian packages. Install them with:"
    echo
    echo "  sudo apt-get install ${missing[*]}"
    echo
    echo "then run this command again."
    exit 1
  fi
}

# meson setup, or reconfigure when the build directory exists.
setup() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

cmd_run() {
  local port=${BEACON_DEMO_PORT:-8080}
  local state="${XDG_STATE_HOME:-$HOME/.local/state}/beacon-demo"
  local i

  ensure_packages
  setup build
  meson compile -C build

  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is taken: stop what runs there, or pick another with BEACON_DEMO_PORT=8181."
    exit 1
  fi
  mkdir -p "$state"
  log "Starting beacon-server --demo on http://127.0.0.1:$port/ (its data: $state)"
  build/src/server/beacon-server --demo --listen "127.0.0.1:$port" --db "$state/beacon.db" &
  # Global, not local: the EXIT trap runs after this function has returned.
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null' EXIT
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 $server_pid 2>/dev/null || { echo "beacon-server did not start"; exit 1; }
    sleep 0.1
  done

  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    log "No display: the demo server keeps running until Ctrl+C"
    wait $server_pid
    return
  fi
  log "Starting Beacon, signed in as the demo user demo@beacon.test"
  # The demo's password is public (beacon-server --demo prints it); a real account's
  # token stays in the keyring.
  BEACON_PASSWORD=beacon-demo GSETTINGS_SCHEMA_DIR="$top/build/data" \
    BEACON_ICON_THEME_PATH="$top/data/icons" \
    "$top/build/src/app/beacon" --server "http://127.0.0.1:$port" --email demo@beacon.test "$@"
}

# The interop tests' npm packages, exactly as package-lock.json pins them.
ensure_node_modules() {
  local dir=tests/interop
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    log "Installing the interop tests' npm packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund)
    touch "$dir/node_modules"
  fi
}

cmd_test() {
  local sanitize=1
  [ "${1:-}" = --no-sanitize ] && sanitize=0
  ensure_packages
  ensure_node_modules

  log "Build with warnings as errors (build-test/)"
  setup build-test -Dwerror=true -Dfuzzing=disabled
  meson compile -C build-test
  log "Tests (every suite, headless session)"
  build-aux/headless-session.sh --redis -- meson test -C build-test --print-errorlogs

  [ $sanitize = 1 ] || return 0
  log "Build with AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/)"
  local cc=gcc
  command -v clang >/dev/null && cc=clang
  if [ ! -f build-sanitize/build.ninja ]; then
    CC=$cc meson setup build-sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debug
  fi
  meson compile -C build-sanitize
  log "Tests under the sanitizers"
  # G_SLICE=always-malloc: GLib 2.74 still has slice magazines, which hide leaked nodes.
  # fast_unwind_on_malloc=0: whole stacks, so that lsan.supp can name system libraries.
  G_SLICE=always-malloc ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$top/build-aux/lsan.supp" \
    build-aux/headless-session.sh --redis -- meson test -C build-sanitize --print-errorlogs --suite unit --suite integration --suite interop --suite ui
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
