#!/bin/sh
# recalld end to end, eight bays at once: eight simulated cars (BMW D-CAN, OBD 11-bit and 29-bit)
# come up together; while their checks run the database is reloaded (accepted), replaced by a
# damaged file (refused, the old one stays) and reloaded by SIGHUP.  Every bay must get its own
# correct report: none lost, none mixed up.
set -u
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"

plugin_setup e8b
e2e_config e8b* >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e

# bay profile VIN expected-summary-prefix (index mode lists only selected campaigns)
set -- \
	0 bmw-i3           WBY1Z41060V512345 '"open":1,"inspect":0,"remedied":0,' \
	1 bmw-i3-ota-fixed WBY1Z41060V512345 '"open":0,"inspect":0,"remedied":1,' \
	2 bmw-f30          WBA8E51060K734560 '"open":2,"inspect":0,"remedied":0,' \
	3 bmw-diesel-egr   WBA5W31090G345678 '"open":0,"inspect":1,"remedied":0,' \
	4 obd11-generic    1HGCM82633A004352 '"open":0,"inspect":0,"remedied":0,' \
	5 obd29-generic    WF0XXXGCDX8A12345 '"open":0,"inspect":0,"remedied":0,' \
	6 bmw-f30          WBA8E51060K734560 '"open":2,"inspect":0,"remedied":0,' \
	7 bmw-i3           WBY1Z41060V512345 '"open":1,"inspect":0,"remedied":0,'
table="$*"
while [ $# -gt 0 ]; do
	e2e_car "e8b$1" "$2"
	shift 4
done
ups=""
for i in 0 1 2 3 4 5 6 7; do
	ip link set "e8b$i" up &
	ups="$ups $!"
done
wait $ups

wait_event '"event":"check-started","iface":"e8b' 8
# reloads while the checks run: good, damaged (refused), SIGHUP
"$BIN/recallctl" -s "$work/control.sock" reload >/dev/null || fail "reload during checks refused"
cp "$work/recalls.rdb" "$work/good.rdb"
head -c 200 "$work/good.rdb" >"$work/recalls.rdb"
"$BIN/recallctl" -s "$work/control.sock" reload >"$work/bad.out" 2>&1 &&
	fail "damaged database accepted"
grep -q 'truncated\|checksum\|out of bounds' "$work/bad.out" ||
	fail "refusal does not say why: $(cat "$work/bad.out")"
wait_event '"event":"reload","ok":false'
cp "$work/good.rdb" "$work/recalls.rdb"
kill -HUP "$daemon"
wait_event '"event":"reload","ok":true' 2

wait_event '"event":"check-finished","iface":"e8b' 8
set -- $table
while [ $# -gt 0 ]; do
	line=$(grep "\"event\":\"check-finished\",\"iface\":\"e8b$1\"" "$events")
	[ -n "$line" ] || fail "e8b$1: no report"
	printf '%s\n' "$line" | grep -q '"status":"complete"' || fail "e8b$1 ($2): not complete: $line"
	printf '%s\n' "$line" | grep -q "\"vin\":\"$3\"" || fail "e8b$1 ($2): wrong VIN: $line"
	printf '%s\n' "$line" | grep -q "\"summary\":{$4" || fail "e8b$1 ($2): verdicts: $line"
	ls "$work/reports"/e8b$1-*.json >/dev/null 2>&1 || fail "e8b$1: no report file"
	shift 4
done
[ "$(count_event '"event":"check-finished"')" = 8 ] || fail "more or fewer than eight reports"
"$BIN/recallctl" -s "$work/control.sock" status >"$work/status.txt" || fail "status"
[ "$(grep -c '^e8b[0-7] *idle' "$work/status.txt")" = 8 ] || fail "not all idle: $(cat "$work/status.txt")"
pass "eight bays at once, reloads (good, damaged, SIGHUP) during the checks lose none"
stop_daemon
