#!/bin/sh
# Every installed program has a man page, and so have recalld.conf(5) and the rule language; each
# renders without a single groff warning (-ww), and documents --version and its exit status.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null || { echo "groff missing (scripts/deps.sh test)" >&2; exit 77; }
man="$B/man"
[ -d "$man" ] || fail "no pages built in $man"
for page in recalld.conf.5 recall-rules.5; do
	[ -f "$man/$page" ] || fail "no man page $page"
done
# every program the build installs (bin/, and the sbin/ scripts), not a list that can fall behind
for prog in "$B"/bin/* "$TOP/vcan-setup.sh"; do
	name=$(basename "$prog")
	[ -f "$man/$name.1" ] || [ -f "$man/$name.8" ] || fail "no man page for $name"
done
n=0
for page in "$man"/*.[1-8]; do
	out=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$page" 2>&1)
	[ -z "$out" ] || fail "$(basename "$page") renders with warnings:
$out"
	case $page in
	*.[18])
		grep -q '^\.SH EXIT STATUS' "$page" || fail "$(basename "$page"): no EXIT STATUS"
		grep -q -- '\\-\\-version' "$page" || fail "$(basename "$page"): no --version"
		;;
	esac
	n=$((n + 1))
done
echo "ok: $n man pages render without warnings, each tool's with --version and exit status"
