#!/bin/sh
# rules/ database at scale: generate 100 000 campaigns with 10 000 000 listed VINs (under $B, not
# in git), compile them with recallc (time, VINs/s, peak memory), then open time against a
# 1 000-VIN database, bytes per listed VIN, load and match latency over 1 000 000 lookups (half
# listed, half not), the same data and lookups in SQLite set up as well as a user would, and the
# one-shot question — `recall-check --vin` against the `sqlite3` command-line tool — with ratios.
# Sizes can be lowered for a quick look: RULES_BENCH_CAMPAIGNS, _VINS, _QUERIES, _ONESHOT (runs).
# RULES_BENCH_KEEP=1 keeps the generated files in $B/bench-rules.
set -eu
B=${B:?set B to the build tree}
camps=${RULES_BENCH_CAMPAIGNS:-100000}
vins=${RULES_BENCH_VINS:-10000000}
queries=${RULES_BENCH_QUERIES:-1000000}
oneshot=${RULES_BENCH_ONESHOT:-21}
d=$B/bench-rules
for p in "$B/tests/bench/rules-gen" "$B/tests/bench/rules-bench" "$B/bin/recallc" \
	"$B/bin/recall-check"; do
	[ -x "$p" ] || { echo "rules-bench: $p missing (make all)"; exit 1; }
done
rm -rf "$d"
mkdir -p "$d"
trap '[ "${RULES_BENCH_KEEP:-0}" = 1 ] || rm -rf "$d"' EXIT

ms() { echo $(( ($2 - $1) / 1000000 )); }

s=$(date +%s%N)
"$B/tests/bench/rules-gen" "$d" "$camps" "$vins" "$queries" 1
e=$(date +%s%N)
echo "generate: $camps campaigns, $vins listed VINs, $queries queries: $(ms "$s" "$e") ms" \
	"($(du -sm "$d" | cut -f1) MB of rule and list text)"

# GNU time gives the peak resident memory of the compile (scripts/deps.sh bench installs it)
/usr/bin/time -q -f '%e %M' -o "$d/time" "$B/bin/recallc" -q "$d/bench.rules" -o "$d/bench.rdb"
read -r secs kb <"$d/time"
echo "compile (recallc: parse, sort, index, hash tree, write + fsync): $secs s," \
	"$(awk -v v="$vins" -v s="$secs" 'BEGIN { printf "%.2f", v / s / 1e6 }') M VINs/s," \
	"peak memory $((kb / 1024)) MB"

# a second compile must give the same bytes
"$B/bin/recallc" -q "$d/bench.rules" -o "$d/bench2.rdb"
if cmp -s "$d/bench.rdb" "$d/bench2.rdb"; then
	echo "deterministic: second compile byte-identical"
else
	echo "deterministic: NO, second compile differs"
fi
rm -f "$d/bench2.rdb"

# open does not grow with the database: the same open on 1 000 VINs
mkdir -p "$d/small"
"$B/tests/bench/rules-gen" "$d/small" 200 1000 2 1
"$B/bin/recallc" -q "$d/small/bench.rules" -o "$d/small/bench.rdb"
small=$("$B/tests/bench/rules-bench" --open "$d/small/bench.rdb" | sed 's/^open: //; s/ ms//')
big=$("$B/tests/bench/rules-bench" --open "$d/bench.rdb" | sed 's/^open: //; s/ ms//')
echo "open, median of 101: $big ms at $vins VINs, $small ms at 1000 VINs" \
	"($(awk -v a="$big" -v b="$small" 'BEGIN { printf "%.1f", a / b }')x)"

"$B/tests/bench/rules-bench" "$d/bench.rdb" "$d/queries.txt" "$d/bench.sqlite"

# One question from a shell: is this VIN affected?  recall-check opens the database in constant
# time and reads only the blocks the lookup touches; the sqlite3 tool opens the SQLite file the
# benchmark built and runs the equivalent query (which campaigns list the VIN or concern its WMI
# or model code).  Alternating runs, medians of whole-process wall times.
if ! command -v sqlite3 >/dev/null 2>&1 || [ ! -f "$d/bench.sqlite" ]; then
	echo "one-shot: sqlite3 tool or database missing (scripts/deps.sh bench)"
	exit 0
fi
vin=$(head -n 1 "$d/queries.txt")
wmi=$(printf '%s' "$vin" | cut -c1-3)
key5=$(printf '%s' "$vin" | cut -c1-5)
sql="SELECT campaign, exclude FROM listed WHERE vin = '$vin' UNION ALL SELECT campaign, 0 FROM
candidates WHERE key IN ('$wmi', '$key5', '');"
"$B/bin/recall-check" --vin "$vin" --db "$d/bench.rdb" >"$d/rc.out" || true
sqlite3 "$d/bench.sqlite" "$sql" >"$d/sq.out"
echo "one-shot question for $vin: recall-check lists $(grep -c '^\[' "$d/rc.out") campaign(s)," \
	"sqlite3 returns $(wc -l <"$d/sq.out") row(s)"
: >"$d/t.rc"
: >"$d/t.sq"
i=0
while [ "$i" -lt "$oneshot" ]; do
	s=$(date +%s%N)
	"$B/bin/recall-check" --vin "$vin" --db "$d/bench.rdb" >/dev/null || true
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) >>"$d/t.rc"
	s=$(date +%s%N)
	sqlite3 "$d/bench.sqlite" "$sql" >/dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) >>"$d/t.sq"
	i=$((i + 1))
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rc=$(med "$d/t.rc")
sq=$(med "$d/t.sq")
/usr/bin/time -q -f '%M' -o "$d/m.rc" "$B/bin/recall-check" --vin "$vin" --db "$d/bench.rdb" \
	>/dev/null || true
/usr/bin/time -q -f '%M' -o "$d/m.sq" sqlite3 "$d/bench.sqlite" "$sql" >/dev/null
echo "one-shot, median of $oneshot: recall-check --vin $(awk -v u="$rc" 'BEGIN { printf "%.2f", u / 1000 }') ms" \
	"($(($(tail -n 1 "$d/m.rc") / 1024)) MB peak), sqlite3 CLI $(awk -v u="$sq" 'BEGIN { printf "%.2f", u / 1000 }') ms" \
	"($(($(tail -n 1 "$d/m.sq") / 1024)) MB peak); ratio sqlite3/recall-check" \
	"$(awk -v a="$sq" -v b="$rc" 'BEGIN { printf "%.2f", a / b }')x"
