#!/bin/sh
# Checks po/POTFILES.in against the tree: every file under src/ and data/ with translatable
# strings must be listed, and every listed file must exist. Usage: check-potfiles.sh SRCDIR

set -u

if [ $# -ne 1 ]; then
  echo "usage: $0 SRCDIR" >&2
  exit 2
fi

srcdir=$1
potfiles="$srcdir/po/POTFILES.in"

if [ ! -f "$potfiles" ]; then
  echo "check-potfiles: $potfiles not found" >&2
  exit 2
fi

LC_ALL=C
export LC_ALL

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/check-potfiles.XXXXXX") || exit 2
trap 'rm -rf "$tmpdir"' EXIT
trap 'exit 130' INT TERM

# The listed files: no comments, no blank lines, no "[encoding: ...]" or "[type: ...]" prefix.
sed -e 's/#.*$//' \
    -e 's/^[[:space:]]*\[[^]]*\][[:space:]]*//' \
    -e 's/^[[:space:]]*//' \
    -e 's/[[:space:]]*$//' \
    -e '/^$/d' "$potfiles" | sort >"$tmpdir/listed-all"
sort -u "$tmpdir/listed-all" >"$tmpdir/listed"

# Calls of the gettext macros and functions in C, ignoring preprocessor lines
# (a "#define _(String) gettext (String)" is not a string to translate).
c_pattern='(^|[^A-Za-z0-9_])((_|N_|Q_)[[:space:]]*\([[:space:]]*"|(C_|NC_)[[:space:]]*\(|(g_dgettext|g_dcgettext|g_dngettext|g_dpgettext|g_dpgettext2|gettext|dgettext|ngettext|dngettext|pgettext|npgettext)[[:space:]]*\()'

: >"$tmpdir/found"
for top in src data; do
  [ -d "$srcdir/$top" ] || continue
  (cd "$srcdir" && find -H "$top" -type f ! -path '*/.*' -print)
done | sort | while IFS= read -r file; do
  path="$srcdir/$file"
  case "$file" in
    *.desktop.in|*.desktop.in.in|*.metainfo.xml.in|*.metainfo.xml.in.in|*.appdata.xml.in|*.gschema.xml|*.gschema.xml.in|*.policy.in)
      echo "$file" ;;
    *.c|*.h)
      if grep -v '^[[:space:]]*#' "$path" | grep -Eq "$c_pattern"; then
        echo "$file"
      fi ;;
    *.ui|*.xml|*.xml.in)
      if grep -Eq "translatable=[\"']yes[\"']" "$path"; then
        echo "$file"
      fi ;;
    *.blp)
      if grep -Eq '(^|[^A-Za-z0-9_])(_|C_)[[:space:]]*\(' "$path"; then
        echo "$file"
      fi ;;
  esac
done >"$tmpdir/found"

status=0

comm -23 "$tmpdir/found" "$tmpdir/listed" >"$tmpdir/missing"
if [ -s "$tmpdir/missing" ]; then
  echo "check-potfiles: these files have translatable strings but are not in po/POTFILES.in:"
  sed 's/^/  /' "$tmpdir/missing"
  status=1
fi

: >"$tmpdir/gone"
while IFS= read -r file; do
  [ -f "$srcdir/$file" ] || echo "$file" >>"$tmpdir/gone"
done <"$tmpdir/listed"
if [ -s "$tmpdir/gone" ]; then
  echo "check-potfiles: these files are listed in po/POTFILES.in but do not exist:"
  sed 's/^/  /' "$tmpdir/gone"
  status=1
fi

uniq -d "$tmpdir/listed-all" >"$tmpdir/dups"
if [ -s "$tmpdir/dups" ]; then
  echo "check-potfiles: these files are listed more than once in po/POTFILES.in:"
  sed 's/^/  /' "$tmpdir/dups"
  status=1
fi

if [ $status -eq 0 ]; then
  echo "check-potfiles: po/POTFILES.in lists all $(wc -l <"$tmpdir/found" | tr -d ' ') files with translatable strings"
fi
exit $status
