#!/bin/sh
# Identity v2 on the bus (issue 10): a VW-group car with an OBD engine ECU and a UDS gateway at
# 0x710:0x77A (reached through the vw-group make profile), an ECU that answers after 120 ms (read
# with the default settings), an ECU silent on 09 04 / 09 0A (the DID asked for is still read), a
# CAN FD ECU (vcan with MTU 72), and one discovery window: every scheme's functional request goes
# out once, all of them before the first answer.
set -u
iface=${IFACE:-vcan0}
fdif=${FDIFACE:-vcan7}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; [ -n "$dump" ] && kill $dump 2>/dev/null;
	wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

# run PROFILE "ARGS" WANT... : recall-ident with ARGS (default settings otherwise), exit 0, and
# every WANT in the compact JSON
run() {
	prof=$1 args=$2; shift 2
	start_sim "$prof"
	# shellcheck disable=SC2086
	timeout 60 "$BIN/recall-ident" "$iface" $args --json >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	stop_sim
	tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
	[ $rc -eq 0 ] || { echo "FAIL $prof ($args): exit $rc"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
	for want; do
		grep -qF -- "$want" "$tmp/c.json" ||
			{ echo "FAIL $prof ($args): missing $want"; cat "$tmp/out.json"; fail=1; }
	done
	echo "done $prof ($args)"
}

run vw-golf "" '"vin":"WVWZZZ1KZAW000001"' '"profile":"vw-group"' \
	'"address":"0x710:0x77A","addressing":"uds11"' '"ascii":"5Q0907530AB"' '"ascii":"0950"' \
	'"vin_agree":true' '"addressings":["obd11","uds11"]'
# named on the command line instead of by the profile
run vw-golf "--no-profile --ecu 0x710:0x77A" '"address":"0x710:0x77A"' '"ascii":"0950"' \
	'"profile":null'
run slow-120 "" '"vin":"1HGCM82633A004352"' '"address":"0x7E0"'
grep -q '"step":"gave-up"' "$tmp/c.json" && { echo "FAIL slow-120: gave up"; fail=1; }
run quiet-pids "--addressing obd11 --did F189" '"vin":"1HGCM82633A004352"' '"ascii":"A1.07"'
grep -q '"step":"gave-up"' "$tmp/c.json" && { echo "FAIL quiet-pids: gave up"; fail=1; }

# one window: bmw-f30-obd answers obd11 and bmw; the functional requests of obd11, bmw and obd29
# each go out exactly once, all before the first physical request (the reads start after the
# window's requests are out; an ECU may well answer between two of them)
start_dump "$iface"
run bmw-f30-obd "" '"addressings":["obd11","bmw"]'
sleep 0.2
stop_dump
for id in '7DF#02' '6F1#DF' '18DB33F1#02'; do
	n=$(grep -c " $iface $id" "$tmp/dump")
	[ "$n" -eq 1 ] || { echo "FAIL window: $id sent $n times"; cat "$tmp/dump"; fail=1; }
done
first_read=$(grep -n " $iface 7E[0-7]#" "$tmp/dump" | head -1 | cut -d: -f1)
last_func=$(grep -n " $iface \(7DF#02\|6F1#DF\|18DB33F1#02\)" "$tmp/dump" | tail -1 | cut -d: -f1)
[ -n "$first_read" ] && [ -n "$last_func" ] && [ "$last_func" -lt "$first_read" ] ||
	{ echo "FAIL window: a functional request after the first physical read"; cat "$tmp/dump"
	  fail=1; }

# CAN FD: an interface with MTU 72, an ECU that answers in FD frames
if ip link set dev "$fdif" down 2>/dev/null && ip link set dev "$fdif" mtu 72 &&
	ip link set dev "$fdif" up; then
	saved=$iface; iface=$fdif
	run fd-uds "--fd --addressing uds11 --ecu 0x710:0x77A --did F1A0" '"vin":"WVWZZZ1KZAW000001"' \
		'"fd":true' '"ascii":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-0123456789-0123"'
	# without --fd: the ECU's FD answer to the probe makes the read FD
	run fd-uds "--ecu 0x710:0x77A --did F1A0" '"vin":"WVWZZZ1KZAW000001"' '"fd":true'
	# --fd on a classic interface is refused as unusable (exit 3: could not read)
	timeout 30 "$BIN/recall-ident" "$saved" --fd >/dev/null 2>"$tmp/err"
	[ $? -eq 3 ] && grep -q "not a CAN FD interface" "$tmp/err" ||
		{ echo "FAIL fd: classic interface not refused"; cat "$tmp/err"; fail=1; }
	ip link set dev "$fdif" down; ip link set dev "$fdif" mtu 16; ip link set dev "$fdif" up
	iface=$saved
else
	echo "FAIL fd: cannot set $fdif to MTU 72"; fail=1
fi
exit $fail
