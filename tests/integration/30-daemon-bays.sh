#!/bin/sh
# recalld's bay handling on real vcan interfaces, with the test check of plugin-testd (the real
# event loop, udev/rtnetlink discovery, traffic trigger, control socket and report files):
#   a new interface gets a check and a subscribe event; an explicit check waits for its report;
#   an interface removed mid-check ends "interrupted" and the daemon serves on; link down/up and
#   traffic after silence start checks; a bad database on reload is refused.
set -u
. "$TOP/tests/integration/plugin-lib.sh"

plugin_setup rdt
cat >"$work/recalld.conf" <<CONF
[recalld]
database = $work/db
report_dir = $work/reports
[history]
database = $work/history.db
[bays]
interfaces = rdt*
[triggers]
on_appear = yes
on_traffic = yes
silence = 300ms
[check]
check_timeout = 1min
[control]
socket = $work/control.sock
CONF
echo "TESTDB one" >"$work/db"
start_daemon "$TBIN/plugin-testd" "$work/recalld.conf"

# The test car answers once the check has sent its request (its progress event): earlier, the
# check's socket might not exist yet.
answer() {
	wait_event "\"event\":\"progress\",\"iface\":\"$1\"" "$2"
	cansend "$1" 7E8#0149020100000000
}

# 1. a new interface (created down, then set up: trigger "up"), the car answers, report + event
ip link add rdt0 type vcan && ip link set rdt0 up || fail "cannot create rdt0"
wait_event '"event":"bay","iface":"rdt0","state":"down"'
wait_event '"event":"check-started","iface":"rdt0","trigger":"up"'
answer rdt0 1
wait_event '"event":"check-finished","iface":"rdt0"'
grep '"event":"check-finished","iface":"rdt0"' "$events" | grep -q '"status":"complete"' ||
	fail "rdt0: report not complete"
ls "$work/reports"/rdt0-*.json >/dev/null 2>&1 || fail "no JSON report file for rdt0"
ls "$work/reports"/rdt0-*.txt >/dev/null 2>&1 || fail "no text report file for rdt0"
"$BIN/recallctl" -s "$work/control.sock" last rdt0 >"$work/last.txt"
[ $? = 1 ] || fail "recallctl last: an open campaign must give exit status 1"
grep -q "TESTVIN0000000001" "$work/last.txt" || fail "technician text lacks the VIN"
grep -q "\[OFFEN\] TEST-1" "$work/last.txt" || fail "technician text lacks the campaign"
pass "appear -> check -> report files, last, subscribe event"

# 2. interface removed mid-check: interrupted, and the daemon still answers
ip link add rdt1 type vcan && ip link set rdt1 up || fail "cannot create rdt1"
wait_event '"event":"progress","iface":"rdt1"'
ip link del rdt1
wait_event '"event":"check-finished","iface":"rdt1"'
grep '"event":"check-finished","iface":"rdt1"' "$events" | grep -q '"status":"interrupted"' ||
	fail "rdt1: removed mid-check but not interrupted"
grep '"event":"check-finished","iface":"rdt1"' "$events" | grep -q 'interface removed' ||
	fail "rdt1: the report does not say the interface was removed"
"$BIN/recallctl" -s "$work/control.sock" status >"$work/status.txt" || fail "status after removal"
grep -q "^rdt1 *absent" "$work/status.txt" || fail "rdt1 not shown absent: $(cat "$work/status.txt")"
pass "removed mid-check -> interrupted, daemon serves on"

# 3. explicit check, waited for (the car answers once the check has started)
"$BIN/recallctl" -s "$work/control.sock" -j check --wait rdt0 >"$work/wait.json" &
waiter=$!
wait_event '"event":"check-started","iface":"rdt0","trigger":"request"'
answer rdt0 2
wait $waiter
rc=$?
[ $rc = 1 ] || fail "check --wait: exit $rc, want 1 (open campaign)"
grep -q '"vin":"TESTVIN0000000001"' "$work/wait.json" || fail "check --wait printed no report"
pass "explicit check --wait"

# 4. link down and up again: a new check (trigger up)
ip link set rdt0 down
ip link set rdt0 up
wait_event '"event":"check-started","iface":"rdt0","trigger":"up"' 2
answer rdt0 3
wait_event '"event":"check-finished","iface":"rdt0"' 3
pass "link up -> check"

# 5. traffic after silence (300 ms configured; we stay quiet for over a second first)
sleep 1.2
cansend rdt0 123#00
wait_event '"event":"check-started","iface":"rdt0","trigger":"traffic"'
answer rdt0 4
wait_event '"event":"check-finished","iface":"rdt0"' 4
pass "traffic after silence -> check"

# 6. reload: a bad database is refused and the old one stays; a good one is taken
echo "garbage" >"$work/db"
"$BIN/recallctl" -s "$work/control.sock" reload 2>"$work/reload.err" &&
	fail "reload of a bad database succeeded"
grep -q "not a test database" "$work/reload.err" || fail "reload error: $(cat "$work/reload.err")"
"$BIN/recallctl" -s "$work/control.sock" status | grep -q "database: TESTDB one" ||
	fail "old database not kept"
echo "TESTDB two" >"$work/db"
kill -HUP "$daemon"
wait_event '"event":"reload","ok":true,"database":"TESTDB two"'
pass "reload: bad refused, SIGHUP takes the good one"
stop_daemon
