#!/bin/sh
# recall-ident against the simulator for every shipped vehicle profile (three addressing schemes):
# the exact VIN, every ECU address and the DID values of the profile must come back, each scheme
# once forced and once found by auto.
set -u
iface=${IFACE:-vcan0}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

# profile addressing vin "expected strings in JSON"...
check() {
	prof=$1 mode=$2 vin=$3; shift 3
	start_sim "$prof"
	if ! "$BIN/recall-ident" "$iface" --addressing "$mode" --timeout 300 --json \
		>"$tmp/out.json" 2>"$tmp/err"; then
		echo "FAIL $prof ($mode): exit non-zero"; cat "$tmp/out.json" "$tmp/err"; fail=1
	fi
	grep -q "\"vin\":\"$vin\"" "$tmp/out.json" || { echo "FAIL $prof ($mode): VIN"; cat "$tmp/out.json"; fail=1; }
	for want; do
		grep -q -- "$want" "$tmp/out.json" ||
			{ echo "FAIL $prof ($mode): missing $want"; cat "$tmp/out.json"; fail=1; }
	done
	stop_sim
	echo "ok $prof ($mode)"
}

check bmw-i3 bmw WBY1Z41060V512345 '"address":"0x40"' '"address":"0x61"' '"ascii":"11.0.2"' \
	'"ascii":"9384712-03"' '"vin_agree":true'
check bmw-i3-ota-fixed auto WBY1Z41060V512345 '"ascii":"15.2.0"' '"addressing":"bmw"'
check bmw-f30 bmw WBA8E51060K734560 '"address":"0x12"' '"hex":"120917"' '"ascii":"8591234-02"' \
	'"ascii":"12.4.1"'
check bmw-diesel-egr bmw WBA5W31090G345678 '"ascii":"8578466-05"'
check obd11-generic obd11 1HGCM82633A004352 '"address":"0x7E0"' '"address":"0x7E1"' \
	'"name":"ECM-EngineControl"' '"via":"service09"' '"37805RNAA100"' '"37805RAA200"' \
	'"1A2B3C4D"' '"DEADBEEF"'
check obd11-generic auto 1HGCM82633A004352 '"addressing":"obd11"'
check obd29-generic obd29 WF0XXXGCDX8A12345 '"address":"0x10"'
check obd29-generic auto WF0XXXGCDX8A12345 '"addressing":"obd29"'
exit $fail
