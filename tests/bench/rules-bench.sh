#!/bin/sh
# rules/ database at scale: generate 100 000 campaigns with 10 000 000 listed VINs (under $B, not
# in git), compile them with recallc, then open time, bytes per listed VIN and match latency over
# 1 000 000 lookups (half listed, half not), and the same data and lookups in SQLite, with ratios.
# Sizes can be lowered for a quick look: RULES_BENCH_CAMPAIGNS, _VINS, _QUERIES.
# RULES_BENCH_KEEP=1 keeps the generated files in $B/bench-rules.
set -eu
B=${B:?set B to the build tree}
camps=${RULES_BENCH_CAMPAIGNS:-100000}
vins=${RULES_BENCH_VINS:-10000000}
queries=${RULES_BENCH_QUERIES:-1000000}
d=$B/bench-rules
for p in "$B/tests/bench/rules-gen" "$B/tests/bench/rules-bench" "$B/bin/recallc"; do
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

s=$(date +%s%N)
"$B/bin/recallc" -q "$d/bench.rules" -o "$d/bench.rdb"
e=$(date +%s%N)
echo "compile (recallc, parse + sort + index + checksum + write): $(ms "$s" "$e") ms"

# a second compile must give the same bytes
"$B/bin/recallc" -q "$d/bench.rules" -o "$d/bench2.rdb"
if cmp -s "$d/bench.rdb" "$d/bench2.rdb"; then
	echo "deterministic: second compile byte-identical"
else
	echo "deterministic: NO, second compile differs"
fi
rm -f "$d/bench2.rdb"

"$B/tests/bench/rules-bench" "$d/bench.rdb" "$d/queries.txt" "$d/bench.sqlite"
