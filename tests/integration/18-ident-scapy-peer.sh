#!/bin/sh
# Interoperability with a UDS stack this project did not write: Debian's python3-scapy automotive
# layer (EcuAnsweringMachine, its UDS classes, its ISO-TP socket setup: no TX padding) plays a VW
# gateway on the uds11 pair 0x710:0x77A — answering 95 ms late (a gateway in the path), silent on
# F18C, "7F 22 10" (generalReject, scapy's generic answer) on every DID it does not know.  With the
# default settings recall-ident must read the VIN, F187 and F189, record F18C as unanswered
# without giving up on the ECU; then the same over CAN FD (scapy's fd=True) on a vcan with MTU 72.
#
# The default-settings row counts only when scapy's answers were on the bus within 200 ms of their
# requests (candump's kernel time stamps; the reader's window, and so the least P2 it gives an ECU
# that answered): a Python stack in a loaded VM can take longer for one answer, and such a run
# proves nothing about the reader (it failed once in a loaded full run: one answer > 210 ms, the
# P2 learnt from a 95 ms probe answer, and with F18C's silence two timeouts in a row: "gave up").
# It is repeated, at most 5 times.  The CAN FD row is about CAN FD and runs with generous timing.
set -u
iface=${IFACE:-vcan0}
fdif=${FDIFACE:-vcan6}
py=/usr/bin/python3
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
"$py" -c 'import scapy.contrib.automotive.uds' 2>/dev/null ||
	{ echo "python3-scapy missing (scripts/deps.sh test)" >&2; exit 77; }
tmp=$(mktemp -d)
ecu=
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$ecu" ] && kill $ecu 2>/dev/null; [ -n "$dump" ] && kill $dump 2>/dev/null;
	wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

start_ecu() {	# IFACE, extra args
	rm -f "$tmp/ready"
	# shellcheck disable=SC2086
	"$py" "$TOP/tests/integration/scapy-ecu.py" "$1" 710 77A "$tmp/ready" $2 \
		>"$tmp/ecu.log" 2>&1 &
	ecu=$!
	i=0
	while [ ! -e "$tmp/ready" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$tmp/ready" ] || { echo "FAIL: scapy ECU did not start"; cat "$tmp/ecu.log"; exit 1; }
}
stop_ecu() { kill $ecu 2>/dev/null; wait $ecu 2>/dev/null; ecu=; }

check() {	# IFACE, recall-ident args, want...
	dev=$1 args=$2; shift 2
	# shellcheck disable=SC2086
	timeout 60 "$BIN/recall-ident" "$dev" $args --json >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
	[ $rc -eq 0 ] || { echo "FAIL ($args): exit $rc"; cat "$tmp/out.json" "$tmp/err" "$tmp/ecu.log"; fail=1; }
	for want; do
		grep -qF -- "$want" "$tmp/c.json" ||
			{ echo "FAIL ($args): missing $want"; cat "$tmp/out.json"; fail=1; }
	done
	grep -q '"step":"gave-up"' "$tmp/c.json" && { echo "FAIL ($args): gave up"; fail=1; }
	echo "done $dev ($args)"
}

start_ecu "$iface" "--delay 95"
tries=0
while :; do
	start_dump "$iface"
	out=$(fail=0
	      check "$iface" "--ecu 0x710:0x77A" '"vin":"WVWZZZ1KZAW000002"' \
		'"address":"0x710:0x77A","addressing":"uds11"' '"ascii":"5Q0907530AB"' \
		'"ascii":"0950"' '"step":"read-didF18C","ecu":"0x710:0x77A","kind":"timeout"' \
		'"F191":{"error":"nrc","nrc":16,"nrc_name":"generalReject"}'
	      echo "rc=$fail")
	sleep 0.2
	stop_dump
	late=$(slowest_answer "$tmp/dump" 710 77A)
	if [ "$late" -le 200 ]; then
		printf '%s\n' "$out" | grep -v '^rc='
		printf '%s\n' "$out" | grep -q '^rc=0$' || fail=1
		break
	fi
	tries=$((tries + 1))
	echo "scapy: an answer took $late ms on the bus (machine loaded): run $tries proves nothing"
	[ $tries -lt 5 ] && continue
	echo "NOTE scapy: 5 runs, no run with every answer within 200 ms: default timing not decided here"
	break
done
stop_ecu

if ip link set dev "$fdif" down 2>/dev/null && ip link set dev "$fdif" mtu 72 &&
	ip link set dev "$fdif" up; then
	start_ecu "$fdif" "--fd"
	check "$fdif" "--window 3000 --timeout 2000 --fd --addressing uds11 --ecu 0x710:0x77A" \
		'"vin":"WVWZZZ1KZAW000002"' \
		'"fd":true' '"ascii":"0950"'
	stop_ecu
	ip link set dev "$fdif" down; ip link set dev "$fdif" mtu 16; ip link set dev "$fdif" up
else
	echo "FAIL: cannot set $fdif to MTU 72"; fail=1
fi
exit $fail
