#!/bin/sh
# bitrate = auto on serial adapters whose buses run at 250000 (slcan-emu --rate 250000 models what
# a controller at the wrong rate sees: receive errors, and bit errors on its own frames).
#  a) a car that only answers (a silent bus): listen-only at 500000 and 250000, twice, hears
#     nothing; then the OBD request once at 500000 (a bit error: wrong rate, stopped), once at
#     250000 (answered): 250000, and the car is checked with nobody typing;
#  b) a chatty bus: listen-only at 500000 sees only errors, at 250000 valid frames: 250000 without
#     a single frame sent before the rate was known.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$TOP/tests/integration/ctl-lib.sh"
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
need_slcan
command -v cangen >/dev/null || { echo "skip: cangen (can-utils) missing" >&2; exit 77; }
plugin_setup slv54x
extra_cleanup="$extra_cleanup; slcan_cleanup"

for v in slv54x0 slv54x1; do
	ip link add $v type vcan && ip link set $v up || fail "vcan $v"
	"$BIN/recall-ecusim" --ready-file "$work/$v.ready" \
		"$TOP/tests/ecusim/profiles/bmw-f30-obd.ini" $v >"$work/$v.sim" 2>&1 &
	sims="$sims $!"
	ctl_wait "$PLUGIN_WAIT" test -e "$work/$v.ready" || fail "car on $v did not start"
done
# the chatty bus: something on it talks every 50 ms
cangen slv54x1 -g 50 -I 3C0 -L 8 &
sims="$sims $!"
{
	e2e_config "slauto*"
	printf '[bay slauto*]\nbitrate = auto\n'
} >"$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
# plugged in once recalld and the test's subscriber run
slcan_adapter slauto0 slv54x0 --rate 250000
slcan_adapter slauto1 slv54x1 --rate 250000

for b in slauto0 slauto1; do
	wait_event "\"event\":\"check-finished\",\"iface\":\"$b\""
	line=$(grep "\"event\":\"check-finished\",\"iface\":\"$b\"" "$events" | head -n 1)
	printf '%s\n' "$line" | grep -q '"vin":"WBA8E51060K734560"' || fail "$b: car not read: $line"
	s=$(bay_json $b)
	printf '%s\n' "$s" | grep -q '"bitrate_detected": *250000' || fail "$b: not 250000: $s"
	printf '%s\n' "$s" | grep -q 'bit rate detected: 250000 bit/s' || fail "$b: message: $s"
	grep -q "$b: bit rate detected: 250000 bit/s (ISO 15765-4)" "$work/daemon.log" ||
		fail "$b: no log line"
done

# a) the silent bus: listened at both rates (listen-only), then exactly one frame at 500000
log0=$(cat "$work/slauto0.emu")
printf '%s\n' "$log0" | grep -q "^open listen-only at 500000" || fail "slauto0 did not listen at 500000"
printf '%s\n' "$log0" | grep -q "^open listen-only at 250000" || fail "slauto0 did not listen at 250000"
[ "$(printf '%s\n' "$log0" | grep -c "at 500000 on a 250000 bus: bit error")" = 1 ] ||
	fail "slauto0: not exactly one probe at the wrong rate: $log0"
pass "silent bus: listen-only at both rates, one OBD request at 500000 (bit error), 250000 found"

# b) the chatty bus: nothing ever transmitted at 500000
log1=$(cat "$work/slauto1.emu")
printf '%s\n' "$log1" | grep -q "at 500000 on a 250000 bus: stuff/form error" ||
	fail "slauto1 heard no errors at 500000: $log1"
printf '%s\n' "$log1" | grep -q "^tx .* at 500000" && fail "slauto1 transmitted at 500000: $log1"
before=$(printf '%s\n' "$log1" | sed -n '1,/^open at 250000/p')
printf '%s\n' "$before" | grep -q "^tx " && fail "slauto1 transmitted before the rate was known"
pass "chatty bus: errors at 500000, frames at 250000 — nothing sent before the rate was known"
stop_daemon
exit 0
