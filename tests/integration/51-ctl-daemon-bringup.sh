#!/bin/sh
# recalld on a real controller driver (kvaser_pci/sja1000 in the controller bench): a card plugged
# in appears down without bit timing; recalld sets 500000 bit/s and restart-ms, brings it up, and
# the car on the other card is checked with nobody typing.  The other card, brought up by hand, is
# left exactly as it is.  A card plugged in again is brought up again; one taken down by hand is
# left down and `recallctl check` says why.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$TOP/tests/integration/ctl-lib.sh"
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
need_kvaser
plugin_setup ctl51x
kvaser_reset
kvaser_replug can1
# can0 is plugged in once recalld and the test's subscriber run: a card present at recalld's
# start is brought up and checked before anyone can be subscribed to see it
a0=$(kvaser_pci_addr can0)
[ -n "$a0" ] || fail "can0: no PCI device"
kvaser_unplug "$a0"
extra_cleanup="$extra_cleanup; [ -e /sys/class/net/can0 ] || kvaser_plug $a0; kvaser_reset"

# the car: on can1, which a person brought up at 500000 (restart-ms 0)
ip link set can1 type can bitrate 500000 && ip link set can1 up || fail "can1 by hand"
"$BIN/recall-ecusim" --ready-file "$work/car.ready" "$TOP/tests/ecusim/profiles/bmw-i3.ini" can1 \
	>"$work/car.log" 2>&1 &
sims="$sims $!"
ctl_wait "$PLUGIN_WAIT" test -e "$work/car.ready" || fail "car simulator did not start: $(cat "$work/car.log")"

e2e_config "can0 can1" >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e

# 1. the card plugged in (fresh from its driver: down, no bit timing — test 50); nobody types:
#    can0 is brought up, checked, the car found
kvaser_plug "$a0"
ctl_wait 30 test -e /sys/class/net/can0 || fail "can0 did not appear when plugged in"
wait_event '"event":"check-finished","iface":"can0"'
line=$(grep '"event":"check-finished","iface":"can0"' "$events" | head -n 1)
printf '%s\n' "$line" | grep -q '"status":"complete"' || fail "can0 check not complete: $line"
printf '%s\n' "$line" | grep -q '"vin":"WBY1Z41060V512345"' || fail "can0: car not read: $line"
ip -d link show can0 | grep -q "bitrate 500000" || fail "can0 not at 500000"
ip -d link show can0 | grep -q "restart-ms 100" || fail "can0 restart-ms not 100"
s=$(bay_json can0)
printf '%s\n' "$s" | grep -q '"bringup": *"recalld"' || fail "can0 status: $s"
printf '%s\n' "$s" | grep -q 'brought up by recalld at 500000 bit/s, restart-ms 100' ||
	fail "can0 status message: $s"
grep -q "can0: brought up by recalld at 500000 bit/s, restart-ms 100" "$work/daemon.log" ||
	fail "no log line for can0's bring-up"
pass "can0 brought up, car on can1 checked"

# 2. can1, up by hand: untouched (its restart-ms is still the 0 the person left)
s=$(bay_json can1)
printf '%s\n' "$s" | grep -q '"bringup": *"outside"' || fail "can1 status: $s"
ip -d link show can1 | grep -q "restart-ms 0" || fail "can1 was touched"
pass "can1 left as it is"

# 3. can0 unplugged and plugged in again: brought up again, checked again
n=$(count_event '"event":"check-finished","iface":"can0"')
kvaser_replug can0
wait_event '"event":"check-finished","iface":"can0"' $((n + 1))
ip -d link show can0 | grep -q "bitrate 500000" || fail "can0 not brought up after replug"
pass "replugged can0 brought up and checked again"

# 4. taken down by hand: left down, and a check request says why
ip link set can0 down
taken_down() { bay_json can0 | grep -q '"bringup": *"taken-down"'; }
ctl_wait "$PLUGIN_WAIT" taken_down || fail "can0 not taken-down: $(bay_json can0)"
out=$("$BIN/recallctl" -s "$work/control.sock" check can0 2>&1) && fail "check on a down bay ran"
printf '%s\n' "$out" | grep -q "taken down outside recalld" || fail "check refusal: $out"
sleep 1
ip link show can0 | grep -q "state DOWN" || fail "recalld brought can0 up again"
"$BIN/recallctl" -s "$work/control.sock" status | grep -A2 '^can0' | grep -q "taken down" ||
	fail "recallctl status text lacks the reason: $("$BIN/recallctl" -s "$work/control.sock" status)"
pass "taken down by hand: left down, reason in status and check"
stop_daemon
exit 0
