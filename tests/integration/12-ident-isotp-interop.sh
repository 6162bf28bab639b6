#!/bin/sh
# Interoperability: can-utils' isotprecv/isotpsend (an independent ISO 15765-2 peer, the kernel
# stack driven by another program) play the ECU.  recall-ident's request must arrive byte-exact,
# and the multi-frame VIN answer sent by isotpsend must come back as the VIN — on 11-bit OBD and
# on BMW extended addressing (address byte 0x12, tester 0xF1).
set -u
iface=${IFACE:-vcan0}
command -v isotpsend >/dev/null && command -v isotprecv >/dev/null ||
	{ echo "can-utils isotpsend/isotprecv missing" >&2; exit 77; }
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
vin_hex="31 48 47 43 4D 38 32 36 33 33 41 30 30 34 33 35 32"	# 1HGCM82633A004352
bmw_hex="57 42 41 38 45 35 31 30 36 30 4B 37 33 34 35 36 30"	# WBA8E51060K734560

# The ECU is named (--ecu): recall-ident first probes it physically in the discovery window
# (OBD: 01 00, UDS: 10 01 — whose answer announces the ECU's P2/P2*), then reads the VIN.  isotprecv -l logs every request, one per line;
# each is answered with isotpsend once it is seen.
# row: name, ident args, isotp-ECU args (-s ECU tx, -d ECU rx [-x]), probe, its answer,
#      expected request, answer, VIN
row() {
	name=$1 args=$2 ecu=$3 probe=$4 pans=$5 req=$6 ans=$7 vin=$8
	: >"$tmp/req"
	# shellcheck disable=SC2086
	timeout 30 stdbuf -oL isotprecv -l $ecu "$iface" >"$tmp/req" 2>&1 &
	rp=$!; pids="$pids $rp"
	sleep 0.3
	# shellcheck disable=SC2086
	timeout 60 "$BIN/recall-ident" "$iface" $args --json >"$tmp/out" 2>"$tmp/err" &
	ip=$!; pids="$pids $ip"
	n=1
	for pair in "$probe|$pans" "$req|$ans"; do
		want=${pair%%|*} answer=${pair#*|}
		i=0
		while [ "$(grep -c . "$tmp/req")" -lt $n ] && [ $i -lt 200 ]; do
			sleep 0.1; i=$((i + 1))
		done
		got=$(sed -n "${n}p" "$tmp/req" | sed 's/ *$//')
		[ "$got" = "$want" ] || { echo "FAIL $name: request $n '$got', want '$want'"; fail=1; }
		# shellcheck disable=SC2086
		echo "$answer" | timeout 10 isotpsend $ecu -p AA "$iface" ||
			{ echo "FAIL $name: isotpsend"; fail=1; }
		n=$((n + 1))
	done
	wait $ip; rc=$?
	kill $rp 2>/dev/null
	tr -d ' \n' <"$tmp/out" >"$tmp/c"
	[ $rc -eq 0 ] && grep -q "\"vin\":\"$vin\"" "$tmp/c" ||
		{ echo "FAIL $name: exit $rc"; cat "$tmp/out" "$tmp/err"; fail=1; }
	echo "done $name"
}

row obd11 "--addressing obd11 --ecu 7E0 --timeout 5000" "-s 7E8 -d 7E0" "01 00" \
	"41 00 BE 1F A8 13" "09 02" "49 02 01 $vin_hex" 1HGCM82633A004352
row bmw "--addressing bmw --ecu 12 --timeout 5000" "-s 612 -d 6F1 -x F1:12" "10 01" \
	"50 01 00 32 01 F4" \
	"22 F1 90" "62 F1 90 $bmw_hex" WBA8E51060K734560
exit $fail
