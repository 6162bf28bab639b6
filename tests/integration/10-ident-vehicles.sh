#!/bin/sh
# recall-ident against the simulator for every shipped vehicle profile (three addressing schemes):
# the exact VIN, every ECU address and the DID values of the profile must come back, each scheme
# once forced and once found by auto.
set -u
iface=${IFACE:-vcan0}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; [ -n "$dump" ] && kill $dump 2>/dev/null;
	wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

# profile addressing vin "expected strings in JSON"...
check() {
	prof=$1 mode=$2 vin=$3; shift 3
	start_sim "$prof"
	# the bus as an independent observer saw it, shown when the row fails
	start_dump "$iface"
	failed=$fail fail=0
	# shellcheck disable=SC2086
	if ! "$BIN/recall-ident" "$iface" --addressing $mode --timeout 300 --json \
		>"$tmp/out.json" 2>"$tmp/err"; then
		echo "FAIL $prof ($mode): exit non-zero"; cat "$tmp/out.json" "$tmp/err"; fail=1
	fi
	tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"	# one line: arrays can be matched whole
	# The VIN is pinned three ways: the expected VIN is the one the profile serves (test and
	# profile cannot drift apart), the identity's own "vin" (top level of the pretty JSON, two
	# spaces in) is exactly it, and no VIN source reports another.
	case $prof in */*) pfile=$prof ;; *) pfile="$TOP/tests/ecusim/profiles/$prof.ini" ;; esac
	pvin=$(sed -n 's/^\(did F190\|vin09\) *= *"\(.*\)"$/\2/p' "$pfile" | sort -u)
	[ "$pvin" = "$vin" ] || { echo "FAIL $prof: profile serves VIN(s) '$pvin', test expects $vin"; fail=1; }
	grep -qx "  \"vin\":\"$vin\"," "$tmp/out.json" ||
		{ echo "FAIL $prof ($mode): identity VIN is not $vin"; cat "$tmp/out.json"; fail=1; }
	[ "$(grep -o '"vin":"[^"]*"' "$tmp/out.json" | sort -u)" = "\"vin\":\"$vin\"" ] ||
		{ echo "FAIL $prof ($mode): a VIN source differs from $vin"; cat "$tmp/out.json"; fail=1; }
	for want; do
		grep -qF -- "$want" "$tmp/c.json" ||
			{ echo "FAIL $prof ($mode): missing $want"; cat "$tmp/out.json"; fail=1; }
	done
	stop_dump
	stop_sim
	[ $fail -eq 0 ] || { echo "the bus during $prof ($mode):"; tail -n 80 "$tmp/dump"; }
	[ $failed -eq 0 ] || fail=1
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
# A real BMW answers OBD-II (engine, 0x7E0) and D-CAN: one discovery window asks both at once, the
# engine's VIN comes first and the D-CAN ECUs, where the software versions live (TCB 0x61 F189),
# are merged.
check bmw-f30-obd auto WBA8E51060K734560 '"addressing":"obd11"' '"addressings":["obd11","bmw"]' \
	'"address":"0x7E0"' '"address":"0x40"' '"address":"0x61"' '"ascii":"12.4.1"' \
	'"vin_agree":true'
# Whatever the VIN: every scheme is asked in the one window, so a car whose D-CAN answers is read
# there (before, bmw was tried only after a BMW-group VIN); named alone, obd11 never sends on 0x6F1.
sed 's/WBA8E51060K734560/1HGCM82633A004352/' "$TOP/tests/ecusim/profiles/bmw-f30-obd.ini" \
	>"$tmp/not-bmw.ini"
check "$tmp/not-bmw.ini" auto 1HGCM82633A004352 '"addressings":["obd11","bmw"]' '"address":"0x61"'
check "$tmp/not-bmw.ini" obd11 1HGCM82633A004352 '"addressings":["obd11"]'
grep -q '"address":"0x61"' "$tmp/c.json" && { echo "FAIL not-bmw: bmw read under obd11"; fail=1; }
# a named D-CAN address under auto is the ECU that answered on bmw, not a second one on obd29
check "$tmp/not-bmw.ini" "auto --ecu 61" 1HGCM82633A004352 '"addressings":["obd11","bmw"]' \
	'"address":"0x61"' '"ascii":"12.4.1"'
exit $fail
