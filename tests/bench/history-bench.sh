#!/bin/sh
# recalld's check history at 1 000 000 recorded checks (200 000 cars): inserting one more check
# on the daemon's path (one transaction, fsync) against writing the check's report file, and
# finding a car's checks (history_query, the control request `history`) against what a workshop
# has without the history: the same checks as JSON lines searched with grep -F — in the same run.
# HISTORY_BENCH_CHECKS lowers the size for a quick look; the files go under $B and are removed.
set -eu
B=${B:?set B to the build tree}
n=${HISTORY_BENCH_CHECKS:-1000000}
d=$B/bench-history
[ -x "$B/tests/bench/history-bench" ] || { echo "history-bench: missing (make all)"; exit 1; }
rm -rf "$d"
mkdir -p "$d"
trap 'rm -rf "$d"' EXIT

"$B/tests/bench/history-bench" "$d" "$n"
echo "sizes: history $(du -m "$d/history.db" | cut -f1) MB, the same checks as JSON lines" \
	"$(du -m "$d/reports.jsonl" | cut -f1) MB"

# whole processes, a car's checks: the sqlite3 tool on the history vs grep over the JSON lines
vin=$(sed -n "$(( n / 10 ))p" "$d/vins.txt")
if command -v farm-bench >/dev/null 2>&1; then
	farm-bench -n 5 --timeout 300 --vs "grep -F $vin $d/reports.jsonl" -- sqlite3 \
		"$d/history.db" \
		"SELECT id, finished_ms, status FROM checks WHERE vin = '$vin' ORDER BY finished_ms DESC" \
		2>&1 | sed 's/^/  /'
else
	s=$(date +%s%N)
	sqlite3 "$d/history.db" "SELECT count(*) FROM checks WHERE vin = '$vin'" >/dev/null
	m=$(date +%s%N)
	grep -c -F "$vin" "$d/reports.jsonl" >/dev/null
	e=$(date +%s%N)
	echo "whole process, one car: sqlite3 $(( (m - s) / 1000 )) us, grep -F $(( (e - m) / 1000 )) us"
fi
s=$(date +%s%N)
for i in 1 2 3; do grep -c -F "$vin" "$d/reports.jsonl" >/dev/null; done
e=$(date +%s%N)
echo "grep -F over the JSON lines (warm cache, mean of 3): $(( (e - s) / 3000 )) us"
