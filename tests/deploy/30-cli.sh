#!/bin/sh
# The command line of every tool, the same way: --version prints "PROG VERSION"; a usage error is
# one line plus "Try 'PROG --help' for more information." and exit 2; and the exit status scheme
# (0 nothing to do, 1 something to do, 2 usage, 3 could not or not complete) where no bus is
# needed: a VIN without a car, a database that cannot be used, a daemon that is not there.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/recalld-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^RECALL_VERSION *:= *//p' "$TOP/plugin/daemon.mk")
db="$B/recalls.rdb"

# expect RC CMD...: run, compare the exit status
expect() {
	want=$1; shift
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want
$(cat "$work/out" "$work/err")"
}

for tool in "$BIN/recalld" "$BIN/recallctl" "$BIN/recall-check" "$BIN/recall-ident" \
	"$BIN/recall-vin" "$BIN/recallc" "$BIN/recall-ecusim" "$BIN/recall-report" \
	"$TOP/vcan-setup.sh"; do
	name=$(basename "$tool")
	expect 0 "$tool" --version
	[ "$(cat "$work/out")" = "$name $version" ] || fail "$name --version: $(cat "$work/out")"
	for bad in --no-such-option -Z; do
		expect 2 "$tool" "$bad"
		[ "$(wc -l <"$work/err")" = 2 ] && [ "$(tail -n 1 "$work/err")" = \
			"Try '$name --help' for more information." ] ||
			fail "$name $bad: usage error is not one line and the hint:
$(cat "$work/err")"
		[ -s "$work/out" ] && fail "$name $bad: wrote to stdout"
	done
	expect 0 "$tool" --help
	grep -qi 'exit' "$work/out" || fail "$name --help says nothing of its exit status"
done
echo "ok: --version, one-line usage errors with the hint, exit 2, on every tool"

# recall-check without a car: 0 nothing to do, 1 something to do, 3 could not
expect 1 "$BIN/recall-check" --vin WBY1Z41060V512345 --did 0x61:F189=11.0.2 --db "$db"
expect 0 "$BIN/recall-check" --vin 1HGCM82633A004352 --all-ecus --db "$db"
expect 3 "$BIN/recall-check" --vin WBY1Z41060V512345 --db "$work/nosuch.rdb"
printf 'not a database' >"$work/bad.rdb"
expect 3 "$BIN/recall-check" --vin WBY1Z41060V512345 --db "$work/bad.rdb"
expect 3 "$BIN/recall-check" nosuchif0 --db "$db"
expect 2 "$BIN/recall-check" --db "$db"
echo "ok: recall-check: 0 nothing to do, 1 open, 3 database unusable or no interface, 2 usage"

expect 0 "$BIN/recall-vin" WBY1Z41060V512345
expect 1 "$BIN/recall-vin" WBY1Z41060V512345 NOTAVIN
expect 2 "$BIN/recall-vin"
echo "ok: recall-vin: 0 valid, 1 invalid, 2 usage"

printf 'campaign "X1" { title "t"; affected wmi in {"WBA"}; recognition hotline number "1"; }\n' \
	>"$work/good.rules"
printf 'campaign "X1" { titel "t"; }\n' >"$work/bad.rules"
expect 0 "$BIN/recallc" -q "$work/good.rules" -o "$work/good.rdb"
expect 1 "$BIN/recallc" -q "$work/bad.rules" -o "$work/bad-out.rdb"
[ -e "$work/bad-out.rdb" ] && fail "recallc wrote a database from bad rules"
expect 3 "$BIN/recallc" -q "$work/good.rules" -o "$work/no/such/dir/x.rdb"
echo "ok: recallc: 0 compiled, 1 errors in the rules, 3 cannot write"

expect 3 "$BIN/recallctl" -s "$work/nosuch.sock" status
expect 3 "$BIN/recallctl" -s "$work/nosuch.sock" check vcan0 --wait
expect 2 "$BIN/recallctl" status extra
expect 2 "$BIN/recallctl" fly
echo "ok: recallctl: 3 daemon unreachable, 2 usage"

printf '[recalld]\ndatabase = %s\n' "$work/nosuch.rdb" >"$work/r.conf"
expect 3 "$BIN/recalld" -n -c "$work/r.conf"
printf '[recalld]\nbogus = 1\n' >"$work/r2.conf"
expect 3 "$BIN/recalld" -n -c "$work/r2.conf"
grep -q "r2.conf:2: error: unknown key 'bogus'" "$work/err" || fail "recalld -n: $(cat "$work/err")"
printf '[recalld]\ndatabase = %s\n' "$db" >"$work/r3.conf"
expect 0 "$BIN/recalld" -n -c "$work/r3.conf"
echo "ok: recalld -n: 0 configuration OK, 3 database or configuration unusable"

expect 3 "$BIN/recall-ecusim" "$work/nosuch.ini" vcan0
echo "ok: recall-ecusim: 3 profile unreadable"

# recall-report says again what the saved report says: the same scheme as the check that made it
"$BIN/recall-check" --vin WBY1Z41060V512345 --did 0x61:F189=11.0.2 --db "$db" --json \
	>"$work/open.json"
"$BIN/recall-check" --vin 1HGCM82633A004352 --all-ecus --db "$db" --json >"$work/none.json"
sed 's/"status":"complete"/"status":"interrupted"/' "$work/open.json" >"$work/cut.json"
grep -q '"status":"interrupted"' "$work/cut.json" || fail "no interrupted report to test with"
expect 1 "$BIN/recall-report" "$work/open.json"
expect 0 "$BIN/recall-report" "$work/none.json"
expect 3 "$BIN/recall-report" "$work/cut.json"
expect 3 "$BIN/recall-report" "$work/nosuch.json"
expect 3 "$BIN/recall-report" "$work/bad.rdb"
expect 2 "$BIN/recall-report" "$work/open.json" "$work/none.json"
echo "ok: recall-report: 0 nothing to do, 1 open, 3 check not complete or no report, 2 usage"
