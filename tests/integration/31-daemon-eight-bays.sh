#!/bin/sh
# Eight bays at once on the real loop (test check of plugin-testd): eight interfaces come up
# together, every one gets its own complete report; reloads while all eight checks run lose none
# of them, and a bad database offered in the middle is refused without disturbing them.
set -u
. "$TOP/tests/integration/plugin-lib.sh"

plugin_setup rdm
cat >"$work/recalld.conf" <<CONF
[recalld]
database = $work/db
report_dir = $work/reports
[history]
database = $work/history.db
[bays]
interfaces = rdm*
[triggers]
on_traffic = no
[control]
socket = $work/control.sock
CONF
echo "TESTDB one" >"$work/db"
start_daemon "$TBIN/plugin-testd" "$work/recalld.conf"

for i in 0 1 2 3 4 5 6 7; do
	ip link add rdm$i type vcan && ip link set rdm$i up || fail "cannot create rdm$i"
done
# all eight checks are running (each sent its request) before any car answers
wait_event '"event":"progress","iface":"rdm' 8
for i in 0 1 2 3 4 5 6 7; do
	wait_event "\"event\":\"progress\",\"iface\":\"rdm$i\""
done
"$BIN/recallctl" -s "$work/control.sock" status >"$work/status.txt"
[ "$(grep -c '^rdm[0-7] *checking' "$work/status.txt")" = 8 ] ||
	fail "not all eight bays checking: $(cat "$work/status.txt")"

# reloads while all eight run: good, bad (refused), good again
echo "TESTDB two" >"$work/db"
"$BIN/recallctl" -s "$work/control.sock" reload >/dev/null || fail "reload during checks"
echo "broken" >"$work/db"
"$BIN/recallctl" -s "$work/control.sock" reload 2>/dev/null && fail "bad database accepted"
echo "TESTDB three" >"$work/db"
kill -HUP "$daemon"
wait_event '"event":"reload","ok":true,"database":"TESTDB three"'

for i in 0 1 2 3 4 5 6 7; do
	cansend rdm$i 7E8#0149020100000000
done
wait_event '"event":"check-finished","iface":"rdm' 8
for i in 0 1 2 3 4 5 6 7; do
	line=$(grep "\"event\":\"check-finished\",\"iface\":\"rdm$i\"" "$events")
	echo "$line" | grep -q '"status":"complete"' || fail "rdm$i: not complete: $line"
	echo "$line" | grep -q '"vin":"TESTVIN0000000001"' || fail "rdm$i: no VIN"
	# each check finished with the database it started with
	echo "$line" | grep -q '"description":"TESTDB one"' || fail "rdm$i: database changed mid-check"
	ls "$work/reports"/rdm$i-*.json >/dev/null 2>&1 || fail "rdm$i: no report file"
done
"$BIN/recallctl" -s "$work/control.sock" status | grep -q "database: TESTDB three" ||
	fail "new database not in use after the checks"
pass "eight bays at once, reloads during the checks lose none"
stop_daemon
