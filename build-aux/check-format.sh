#!/usr/bin/env bash
# check-format.sh: fails when a C file under src/ or tests/ differs from what clang-format
# (version 14, the one Debian 12 ships and .clang-format is written for) makes of it.
#
# usage: build-aux/check-format.sh [SRCDIR]     (exit 77 = skipped: no clang-format 14)
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ] || ! "$cf" --version | grep -q 'version 14\.'; then
  echo "clang-format 14 not found: skipped"
  exit 77
fi

mapfile -t files < <(find src tests -name '*.[ch]' -not -path '*/corpus/*' | sort)
bad=()
for f in "${files[@]}"; do
  "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "Not formatted as .clang-format says (fix with: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "${#files[@]} files formatted as .clang-format says"
