#!/bin/sh
# make bench: run every benchmark tests/bench/*.sh against build tree $1 and print its figures.
# Benchmarks measure; they never fail on a number.  Each prints its own lines; this script adds
# the machine they ran on, for quoting in the README.
set -u
b=${1:?usage: scripts/bench.sh BUILD}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
case "$b" in /*) ;; *) b="$top/$b" ;; esac
export B="$b" BIN="$b/bin" TOP="$top"

scripts/deps.sh bench || exit 1
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "machine: $(nproc) cores, $cpu, $(free -g | awk '/^Mem:/ { print $2 }') GiB, $(uname -sr)"
rc=0
for t in tests/bench/*.sh; do
	[ -f "$t" ] || continue
	echo
	echo "== $(basename "$t" .sh)"
	sh "$t" || { echo "bench: $(basename "$t") failed" >&2; rc=1; }
done
exit $rc
