#!/bin/sh
# An adapter that vanishes during bring-up (issue 12, bad input): a serial adapter with
# bitrate = auto on a bus where nobody answers stays in bring-up (listening at 500000 and
# 250000, probing, then waiting 10 s to listen again); it is pulled out during the listening, and
# — plugged in again — during the wait: its emulator killed, so the kernel hangs up the tty and
# slcan unregisters the interface under recalld's feet.  recalld says so in the log and the
# bay's events, starts no check on it, keeps serving (a car on another bay is checked), and the
# same adapter plugged in again — now with a car behind it — is brought up afresh (the rate
# detected again from nothing) and checked.  The daemon exits cleanly under
# the sanitizers, so nothing of the abandoned bring-up is used after it was freed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$TOP/tests/integration/ctl-lib.sh"
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
need_slcan
plugin_setup slv55x
extra_cleanup="$extra_cleanup; slcan_cleanup; ip link del slb55x0 2>/dev/null"

{
	e2e_config "slvan* slb55x*"	# (not the adapters' own buses, slv55x*)
	printf '[bay slvan*]\nbitrate = auto\n'
} >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
# plugged in, nobody behind the adapter: a bus at 250000 where no node acknowledges anything
ip link add slv55x0 type vcan && ip link set slv55x0 up || fail "vcan slv55x0"
slcan_adapter slvan0 slv55x0 --rate 250000 --no-ack

# 1. in bring-up: recalld has the adapter listening (the detection's first window)
in_bringup() { bay_json slvan0 | grep -q '"bringup": *"in-progress"'; }
ctl_wait "$PLUGIN_WAIT" grep -q "^open listen-only at 500000" "$work/slvan0.emu" ||
	fail "slvan0 never listened at 500000: $(cat "$work/slvan0.emu")"
in_bringup || fail "slvan0 not in bring-up: $(bay_json slvan0)"

# 2. pulled out right then
slcan_pull slvan0
wait_event '"event":"bay","iface":"slvan0","state":"absent"'
grep -q "slvan0: interface removed" "$work/daemon.log" || fail "no log line for the removal"
kill -0 "$daemon" 2>/dev/null || fail "daemon died"
[ "$(count_event '"event":"check-started","iface":"slvan0"')" = 0 ] ||
	fail "a check started on a bay whose bit rate was never known"
pass "adapter pulled during bring-up: removal logged, bay absent, no check started"

# 3. the other bays carry on: a car on a vcan bay is checked
e2e_car slb55x0 bmw-i3
ip link set slb55x0 up
wait_event '"event":"check-finished","iface":"slb55x0"'
grep '"event":"check-finished","iface":"slb55x0"' "$events" | grep -q '"status":"complete"' ||
	fail "the vcan bay was not checked after the pull"
pass "another bay checked after the pull"

# 4. plugged in again, still nobody behind it: detection runs to its end (silent at both rates,
#    the OBD request unanswered) and recalld waits to listen again in 10 s — the adapter is still
#    in bring-up, and is pulled out in that wait
mv "$work/slvan0.emu" "$work/slvan0-1.emu"
slcan_adapter slvan0 slv55x0 --rate 250000 --no-ack
waiting() { bay_json slvan0 | grep -q 'the bus is silent at 500000 and 250000.*listening again'; }
ctl_wait "$PLUGIN_WAIT" waiting || fail "slvan0 did not wait to listen again: $(bay_json slvan0)"
in_bringup || fail "slvan0 not in bring-up while waiting: $(bay_json slvan0)"
slcan_pull slvan0
wait_event '"event":"bay","iface":"slvan0","state":"absent"' 2
[ "$(count_event '"event":"check-started","iface":"slvan0"')" = 0 ] ||
	fail "a check started on a bay whose bit rate was never known"
pass "adapter pulled while waiting to listen again: bay absent, no check started"

# 5. plugged in again, a car behind it now: brought up afresh at 250000 and checked
ip link add slv55x1 type vcan && ip link set slv55x1 up || fail "vcan slv55x1"
"$BIN/recall-ecusim" --ready-file "$work/car1.ready" "$TOP/tests/ecusim/profiles/bmw-f30-obd.ini" \
	slv55x1 >"$work/car1.log" 2>&1 &
sims="$sims $!"
ctl_wait "$PLUGIN_WAIT" test -e "$work/car1.ready" || fail "car on slv55x1 did not start"
mv "$work/slvan0.emu" "$work/slvan0-2.emu"
slcan_adapter slvan0 slv55x1 --rate 250000
wait_event '"event":"check-finished","iface":"slvan0"'
line=$(grep '"event":"check-finished","iface":"slvan0"' "$events" | head -n 1)
printf '%s\n' "$line" | grep -q '"vin":"WBA8E51060K734560"' || fail "slvan0: car not read: $line"
s=$(bay_json slvan0)
printf '%s\n' "$s" | grep -q '"bitrate_detected": *250000' || fail "slvan0 not at 250000: $s"
grep -q "^open listen-only at 500000" "$work/slvan0.emu" ||
	fail "the new adapter was not detected from the start: $(cat "$work/slvan0.emu")"
# (said at least for the pull in the wait; a pull during the listening can meet a setting in
# the helper, whose failure is then logged first — under load, seen in make check)
grep -q "slvan0: removed during bring-up" "$work/daemon.log" ||
	fail "the log does not say that slvan0 was removed during bring-up"
pass "plugged in again: detected afresh (250000), car checked"
stop_daemon
exit 0
