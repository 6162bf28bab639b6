#!/bin/sh
# Bad input at bring-up, on real controller drivers: a bit rate the SJA1000's 8 MHz clock cannot
# make (950000: 5.3% off the nearest) is refused by the driver — the bay stays down, status and
# log say why in words; `bringup = no` leaves a bay down and says why in `recallctl status`; and
# meanwhile another bay (a car on vcan) is checked as usual.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$TOP/tests/integration/ctl-lib.sh"
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
need_kvaser
plugin_setup ctl53v
extra_cleanup="$extra_cleanup; kvaser_reset"
kvaser_reset
kvaser_replug can0
kvaser_replug can1

{
	e2e_config "can0 can1 ctl53v*"
	printf '[bay can0]\nbitrate = 950000\n[bay can1]\nbringup = no\n'
} >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e

# another bay carries on: a car on vcan, checked
e2e_car ctl53v0 bmw-i3
ip link set ctl53v0 up
wait_event '"event":"check-finished","iface":"ctl53v0"'
grep '"event":"check-finished","iface":"ctl53v0"' "$events" | grep -q '"status":"complete"' ||
	fail "the vcan bay was not checked"

# 1. 950000 on an SJA1000: refused, in words, the link untouched and down
bringup_failed() { bay_json can0 | grep -q '"bringup": *"failed"'; }
ctl_wait "$PLUGIN_WAIT" bringup_failed
s=$(bay_json can0)
printf '%s\n' "$s" | grep -q '"bringup": *"failed"' || fail "can0 not failed: $s"
printf '%s\n' "$s" | grep -q 'cannot bring up: the driver refused bit rate 950000' ||
	fail "can0 message: $s"
grep -q "can0: cannot bring up: the driver refused bit rate 950000" "$work/daemon.log" ||
	fail "no log line for can0"
ip link show can0 | grep -q "state DOWN" || fail "can0 is up"
"$tool" get can0 | grep -q '^bittiming=0' || fail "a refused rate left a bit timing on can0"
out=$("$BIN/recallctl" -s "$work/control.sock" check can0 2>&1) && fail "check on can0 ran"
printf '%s\n' "$out" | grep -q "refused bit rate 950000" || fail "check refusal: $out"
pass "950000 refused by the sja1000 driver: said in status, log and check"

# 2. bringup = no: left down, status says why
s=$(bay_json can1)
printf '%s\n' "$s" | grep -q '"bringup": *"disabled"' || fail "can1 not disabled: $s"
txt=$("$BIN/recallctl" -s "$work/control.sock" status)
printf '%s\n' "$txt" | grep -A3 '^can1' | grep -q "bringup = no in the configuration" ||
	fail "recallctl status does not say why can1 is down: $txt"
ip link show can1 | grep -q "state DOWN" || fail "can1 was brought up"
pass "bringup = no: can1 left down, recallctl status says why"
stop_daemon
exit 0
