#!/bin/sh
# recalld on serial adapters (the kernel's slcan driver attached by slcand to a pty; on its other
# end slcan-emu, a Lawicel adapter whose bus is a vcan with the simulated car).  A bay appears down
# with no bit rate; recalld sets 500000 — the driver then opens the adapter (C, S6, O) — notes that
# the driver refuses restart-ms, and the car is checked with nobody typing.  A second adapter with
# nobody on its bus (no ACK) gets a report that says so, in words, with the controller's own
# counts.  A bus-off on the car's adapter is recovered by recalld itself (slcan has no restart):
# down and up after restart_ms, logged, counted in status, and the car is checked again.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$TOP/tests/integration/ctl-lib.sh"
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
need_slcan
plugin_setup slv52x
extra_cleanup="$extra_cleanup; slcan_cleanup; cp $work/daemon.log $work/events $work/*.emu $B/ 2>/dev/null"

# the car behind adapter 0; nobody behind adapter 1
ip link add slv52x0 type vcan && ip link set slv52x0 up || fail "vcan"
"$BIN/recall-ecusim" --ready-file "$work/car.ready" "$TOP/tests/ecusim/profiles/bmw-i3.ini" slv52x0 \
	>"$work/car.log" 2>&1 &
sims="$sims $!"
ctl_wait "$PLUGIN_WAIT" test -e "$work/car.ready" || fail "car simulator did not start"

e2e_config "slbay*" >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
# plugged in once recalld and the test's subscriber run (an adapter there at recalld's start is
# checked before anyone can be subscribed to see it); slcand sets no rate: "bitrate 0"
slcan_adapter slbay0 slv52x0
slcan_adapter slbay1 slv52x1 --no-ack

# 1. the adapter with the car: brought up, checked, the car found
wait_event '"event":"check-finished","iface":"slbay0"'
line=$(grep '"event":"check-finished","iface":"slbay0"' "$events" | head -n 1)
printf '%s\n' "$line" | grep -q '"status":"complete"' || fail "slbay0 not complete: $line"
printf '%s\n' "$line" | grep -q '"vin":"WBY1Z41060V512345"' || fail "slbay0: car not read"
printf '%s\n' "$line" | grep -q '"bus":null' || fail "slbay0: a healthy bus reported as a cause"
grep -q "^open at 500000" "$work/slbay0.emu" || fail "the adapter was not opened at 500000"
grep "^open" "$work/slbay0.emu" | head -n 1 | grep -q "^open at 500000" ||
	fail "the adapter was opened before recalld set its rate: $(cat "$work/slbay0.emu")"
s=$(bay_json slbay0)
printf '%s\n' "$s" | grep -q 'brought up by recalld at 500000 bit/s, restart-ms 0 (the driver cannot restart after bus-off by itself: recalld restarts it)' ||
	fail "slbay0 status: $s"
pass "slcan bay brought up (restart-ms refused by the driver, said so), car checked"

# 2. nobody on the bus: the report says no ACK, in English and German, with the counts
wait_event '"event":"check-finished","iface":"slbay1"'
line=$(grep '"event":"check-finished","iface":"slbay1"' "$events" | head -n 1)
printf '%s\n' "$line" | grep -q '"status":"failed"' || fail "slbay1 not failed: $line"
printf '%s\n' "$line" | grep -q '"bus":{"cause":"no_ack","state":"error-passive","tx_errors":128' ||
	fail "slbay1: no ACK not reported as data: $line"
printf '%s\n' "$line" | grep -q '"error":"no ECU acknowledged (ACK missing): is a car connected, ignition on?' ||
	fail "slbay1: reason not in words: $line"
txt=$(ls "$work/reports"/slbay1-*.txt | head -n 1)
# (the label column's width is the report's layout, not this test's business)
grep -Eq '^CAN-Bus: +kein Steuergerät bestätigt \(ACK fehlt\) — Fahrzeug angeschlossen, Zündung an\?$' "$txt" ||
	fail "German text lacks the cause: $(cat "$txt")"
grep -q "acknowledged" "$txt" && fail "English bus words in the German text: $(cat "$txt")"
grep -q "tx .*: no ACK" "$work/slbay1.emu" || fail "the emulator saw no transmission"
pass "no car: no ACK in words and data"

# 3. bus-off on the car's adapter: the driver cannot restart it, so recalld does (after
#    restart_ms: down and up again), says so, and the car is checked again
n=$(count_event '"event":"check-finished","iface":"slbay0"')
opens=$(grep -c "^open at 500000" "$work/slbay0.emu")
kill -USR1 "$emu_pid_slbay0"
reopened() { [ "$(grep -c "^open at 500000" "$work/slbay0.emu")" -gt "$opens" ]; }
ctl_wait "$PLUGIN_WAIT" reopened
grep -q "bus-off (bus fault injected)" "$work/slbay0.emu" || fail "no bus-off injected"
reopened || fail "slbay0 not reopened after bus-off: $(tail -5 "$work/slbay0.emu")"
grep -q "slbay0: bus-off (the controller switched itself off after too many errors); recalld restarts it in 100 ms" \
	"$work/daemon.log" || fail "no bus-off log line"
wait_event '"event":"check-finished","iface":"slbay0"' $((n + 1))
s=$(bay_json slbay0)
printf '%s\n' "$s" | grep -q '"bus_offs": *1' || fail "bus-off not counted: $s"
printf '%s\n' "$s" | grep -q 'restarted by recalld after 1 bus-off' || fail "status: $s"
printf '%s\n' "$s" | grep -q '"controller_state": *"error-active"' || fail "not recovered: $s"
grep '"event":"check-finished","iface":"slbay0"' "$events" | tail -n 1 |
	grep -q '"vin":"WBY1Z41060V512345"' || fail "car not checked again after recovery"
pass "bus-off recovered by recalld (down/up after restart_ms), car checked again"
stop_daemon
exit 0
