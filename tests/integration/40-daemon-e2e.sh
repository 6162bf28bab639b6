#!/bin/sh
# recalld end to end: the real daemon, the real check (can/ + rules/) and the seed database, with
# simulated cars on new vcan interfaces.  A car affected by the ConnectedDrive recall gets a report
# saying open (JSON and German text files, subscribe events, the log line, `recallctl last`); the
# same car with the over-the-air fix applied reads remedied; an explicit `recallctl check` runs
# again on request.
set -u
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"

plugin_setup e2e
e2e_config e2e* >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e

# 1. a new interface with an affected car: check on "up", report open
e2e_car e2e0 bmw-i3
ip link set e2e0 up
wait_event '"event":"check-started","iface":"e2e0","trigger":"up"'
wait_event '"event":"check-finished","iface":"e2e0"'
line=$(grep '"event":"check-finished","iface":"e2e0"' "$events")
want() { printf "%s\n" "$line" | grep -q -- "$1" || fail "e2e0: report lacks $1"; }
want '"status":"complete"'
want '"vin":"WBY1Z41060V512345"'
want '"addressing":"bmw"'
want '"id":"6112150100","title":"BMW ConnectedDrive'
printf "%s\n" "$line" | tr '{' '\n' | grep '"id":"6112150100"' | grep -q '"verdict":"open"' ||
	fail "e2e0: ConnectedDrive not open"
want '"summary":{"open":1,"inspect":0,"remedied":0'
json=$(ls "$work/reports"/e2e0-*.json 2>/dev/null | head -n 1)
txt=$(ls "$work/reports"/e2e0-*.txt 2>/dev/null | head -n 1)
[ -n "$json" ] && [ -n "$txt" ] || fail "e2e0: report files missing"
grep -q '"verdict":"open"' "$json" || fail "e2e0: JSON file lacks the verdict"
grep -q '\[OFFEN\] 6112150100' "$txt" || fail "e2e0: text report lacks the campaign"
grep -q 'Connected Drive Sicherheitslücken' "$txt" || fail "e2e0: text report lacks the German text"
grep -q 'Hotline: 0 89/ 1 25 01 60 10' "$txt" || fail "e2e0: text report lacks the hotline"
grep -q 'e2e0: VIN WBY1Z41060V512345: complete: 1 open' "$work/daemon.log" ||
	fail "e2e0: no log line for the check"
"$BIN/recallctl" -s "$work/control.sock" last e2e0 >"$work/last.txt"
[ $? = 1 ] || fail "recallctl last: an open campaign must give exit status 1"
grep -q '\[OFFEN\] 6112150100' "$work/last.txt" || fail "recallctl last: no campaign"
pass "affected car on a new interface: open, report files, events, log line, last"

# 2. the same car with the over-the-air fix: remedied, with the evidence
e2e_car e2e1 bmw-i3-ota-fixed
ip link set e2e1 up
wait_event '"event":"check-finished","iface":"e2e1"'
line=$(grep '"event":"check-finished","iface":"e2e1"' "$events")
printf "%s\n" "$line" | tr '{' '\n' | grep '"id":"6112150100"' | grep -q '"verdict":"remedied"' ||
	fail "e2e1: ConnectedDrive not remedied: $line"
printf "%s\n" "$line" | grep -q '"evidence":"0x61:F189 \\"15.2.0\\"' || fail "e2e1: no evidence"
"$BIN/recallctl" -s "$work/control.sock" last e2e1 >/dev/null ||
	fail "recallctl last: a remedied car must give exit status 0"
pass "over-the-air fix applied: remedied with evidence"

# 3. on request: recallctl check --wait prints the new report
"$BIN/recallctl" -s "$work/control.sock" check --wait e2e0 >"$work/again.txt"
[ $? = 1 ] || fail "recallctl check --wait: exit status for an open campaign"
grep -q '\[OFFEN\] 6112150100' "$work/again.txt" || fail "check on request: no report"
wait_event '"event":"check-started","iface":"e2e0","trigger":"request"'
pass "check on request"
stop_daemon
