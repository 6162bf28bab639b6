#!/bin/sh
# recall-ident against every fault profile of the simulator: the documented error, the exit status
# (0 only when a VIN was read, 3 when none was: could not identify), and never a hang — every run is bounded by timeout(1) and a hang
# fails the row.
set -u
iface=${IFACE:-vcan0}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
sim=
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

simargs=	# extra simulator arguments for the next rows
start_sim() {
	rm -f "$tmp/ready"
	# shellcheck disable=SC2086
	"$BIN/recall-ecusim" --ready-file "$tmp/ready" $simargs "$TOP/tests/ecusim/profiles/$1.ini" "$iface" \
		>"$tmp/sim.log" 2>&1 &
	sim=$!
	i=0
	while [ ! -e "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$tmp/ready" ] || { echo "simulator did not start for $1"; cat "$tmp/sim.log"; exit 1; }
}
stop_sim() { kill $sim 2>/dev/null; wait $sim 2>/dev/null; sim=; }

# row: profile, expected exit, "extra args", expected strings in the (compact) JSON...
row() {
	prof=$1 want=$2 args=$3; shift 3
	start_sim "$prof"
	# shellcheck disable=SC2086
	timeout 60 "$BIN/recall-ident" "$iface" --timeout 300 --json $args >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
	if [ $rc -ne "$want" ]; then
		echo "FAIL $prof: exit $rc, want $want"; cat "$tmp/out.json" "$tmp/err"; fail=1
	fi
	for s; do
		grep -q -- "$s" "$tmp/c.json" ||
			{ echo "FAIL $prof: missing $s"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
	done
	stop_sim
	echo "done $prof ($args)"
}

row fault-silent 3 "--addressing obd11" '"vin":null' '"kind":"timeout"' 'noECUanswered'
row fault-wrong-sn 3 "--addressing bmw" '"vin":null' '"step":"read-didF190","ecu":"0x12","kind":"io"'
row fault-truncated 3 "--addressing bmw" '"vin":null' '"step":"read-didF190","ecu":"0x12"'
# the same with a P2 longer than the kernel's N_Cr (1 s): the kernel gives the reassembly up and
# says so (ETIMEDOUT on read), reported as what it is, not as "no answer"
row fault-truncated 3 "--addressing bmw --timeout 2000" '"vin":null' \
	'"step":"read-didF190","ecu":"0x12","kind":"timeout"' 'theanswerstoppedhalf-way(ISO-TPN_Cr'
# the FF announces 3 bytes fewer: the VIN is reported as read, 14 characters, flagged
row fault-ff-short 0 "--addressing bmw" '"vin":"WBA8E51060K734"' '"short"' '"invalid"'
row fault-ignore-stmin 0 "--addressing obd11" '"vin":"1HGCM82633A004352"'
row fault-garbage 3 "--addressing obd11" '"vin":null' '"step":"service09VIN","ecu":"0x7E0"'
row fault-fc-overflow 3 "--addressing bmw" '"vin":null' '"ecu":"0x12","kind":"timeout"'
# every answer too late (2 s; discovery too, hence --ecu): after two unanswered requests in a row
# the ECU is asked nothing more, and says so; F189, asked after them, is not asked at all
row fault-slow 3 "--addressing bmw --ecu 12" '"vin":null' '"step":"read-didF187","ecu":"0x12"' \
	'"step":"gave-up","ecu":"0x12"' 'askednothingmoreafter2requestsinarowwentunanswered'
grep -q '"step":"read-didF189"' "$tmp/c.json" && { echo "FAIL fault-slow: F189 asked"; fail=1; }
row fault-physical-only 3 "--addressing bmw" '"vin":null' 'noECUanswered'
row fault-physical-only 0 "--addressing bmw --ecu 12" '"vin":"WBA8E51060K734560"'
row fault-pending 0 "--addressing bmw" '"vin":"WBA8E51060K734560"' '"ascii":"12.4.1"'
# P2* of 1 ms: the second 0x78 comes too late, reported as a pending timeout, not a crash
row fault-pending 3 "--addressing bmw --p2star 1" '"vin":null' 'responsepending'
# a lying ECU: 0x78 for F189 without end.  Bounded by the default max_pending (50): that DID
# fails with a clear message, the DID after it (F18C) and the next ECU (0x40) are read.  Each ECU
# its own process: the ECUs are read at the same time, and one process cannot lie for 0x12 and
# answer 0x40 at once (a car can).
simargs=--process-per-ecu
row fault-pending-forever 0 "--addressing bmw" '"vin":"WBA8E51060K734560"' \
	'"step":"read-didF189","ecu":"0x12","kind":"timeout"' 'responsepending51times(limit50),givingup' \
	'"ascii":"SN0012345"' '"ascii":"7.1.0"'
simargs=
row fault-busy 0 "--addressing bmw" '"vin":"WBA8E51060K734560"'
row fault-two-vins 0 "--addressing obd11" '"vin_agree":false' '"vin":"1HGCM82633A004353"'
row fault-padded-vin 0 "--addressing obd11" '"vin":"1HGCM82633A004352"' '"padded"'
exit $fail
