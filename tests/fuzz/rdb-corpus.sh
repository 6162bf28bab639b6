#!/bin/bash
# Rebuilds the database seeds of tests/fuzz/corpus/fuzz-rdb-load with the recallc of build tree B
# (needed after a format change: a seed of an older format is refused at the door and reaches
# nothing behind it).  foreign.rdb is not a database and stays as it is.
#   B=build tests/fuzz/rdb-corpus.sh
set -euo pipefail
B=${B:?set B to the build tree}
c=tests/fuzz/corpus/fuzz-rdb-load
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

"$B/bin/recallc" -q rules/recalls/bmw-seed.rules -o "$c/seed.rdb"
ac=tests/fuzz/corpus/fuzz-rules-parse/all-conditions.rules
"$B/bin/recallc" -q "$ac" -o "$c/all-conditions.rdb"
"$B/bin/recallc" -q --keygen "$t/fuzz" >/dev/null
"$B/bin/recallc" -q "$ac" -o "$c/signed.rdb" --sign "$t/fuzz.key"
head -c 100 "$c/seed.rdb" >"$c/truncated.rdb"
# a byte of the first data block changed: with an odd last byte the target keeps the hashes (the
# block check refuses it), with an even one it reseals (the checks behind the hashes meet it)
cp "$c/all-conditions.rdb" "$c/damaged-resealed.rdb"
printf '\175' | dd of="$c/damaged-resealed.rdb" bs=1 seek=5000 conv=notrunc status=none
cp "$c/damaged-resealed.rdb" "$c/damaged-block.rdb"
size=$(stat -c %s "$c/damaged-block.rdb")
printf '\001' | dd of="$c/damaged-block.rdb" bs=1 seek=$((size - 1)) conv=notrunc status=none
# a long VIN group (more than RDB_GROUP_SHORT_MAX VINs sharing positions 1-11, entries out of
# line) holding the VINs the target looks up, and short groups in other buckets
{
	printf 'campaign "LONG" { title "long group"; recognition vehicle_diagnosis;\n'
	printf '  include vins {\n'
	for s in $(seq 734520 734561); do printf '\t"WBA8E51060K%s",\n' "$s"; done
	for p in A B C D E F G H J K L M; do printf '\t"WBA8E5106%sK734500",\n' "$p"; done
	printf '\t"WBY1Z41060V512345" };\n  exclude vins { "WBA8E51060K734561" }; }\n'
} >"$t/long.rules"
"$B/bin/recallc" -q "$t/long.rules" -o "$c/long-group.rdb"
# the long group's count cut from 43 to 33 (the low byte of the word after its group word, the
# first word of VIN_GROUPS at 4576): a lazy lookup must refuse it, not read the nine VINs past the
# cut as unlisted (the target reseals it: its last byte is even)
cp "$c/long-group.rdb" "$c/long-group-cut.rdb"
printf '\041' | dd of="$c/long-group-cut.rdb" bs=1 seek=4584 conv=notrunc status=none
