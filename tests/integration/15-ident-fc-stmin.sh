#!/bin/sh
# The STmin the tester asks for (ident_config.fc_stmin) is what its Flow Control carries on the
# bus: candump sees the FC to the ECU's physical request id with that byte, and the simulated ECU
# (which honours STmin) still delivers the VIN.  Default 0 keeps the old FC; a reserved STmin is
# refused before anything is sent.
set -u
iface=${IFACE:-vcan0}
command -v candump >/dev/null && command -v cansend >/dev/null ||
	{ echo "can-utils candump/cansend missing" >&2; exit 77; }
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; [ -n "$dump" ] && kill $dump 2>/dev/null
	wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

# row: name, scheme, profile, STmin (hex), FC frame prefix in candump -L syntax, VIN
row() {
	name=$1 scheme=$2 prof=$3 stmin=$4 fc=$5 vin=$6
	start_sim "$prof"
	start_dump "$iface"
	timeout 60 "$TBIN/ident-read" "$iface" "$scheme" "$stmin" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	stop_dump
	stop_sim
	[ $rc -eq 0 ] || { echo "FAIL $name: exit $rc"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
	grep -qF "\"vin\":\"$vin\"" "$tmp/out.json" || { echo "FAIL $name: VIN"; fail=1; }
	grep -q " $iface $fc" "$tmp/dump" ||
		{ echo "FAIL $name: no FC $fc on the bus"; grep -E "#(12)?3" "$tmp/dump"; fail=1; }
	echo "done $name"
}

# BMW: FC on 0x6F1 = ECU byte, 0x30 CTS, BS 0, STmin
row "bmw STmin 0x0A" bmw bmw-f30 0A '6F1#1230000A' WBA8E51060K734560
row "bmw STmin 0xF5" bmw bmw-f30 F5 '6F1#123000F5' WBA8E51060K734560
row "bmw default 0" bmw bmw-f30 00 '6F1#12300000' WBA8E51060K734560
# 11-bit OBD: FC on the ECU's request id 0x7E0
row "obd11 STmin 0x14" obd11 obd11-generic 14 '7E0#300014' 1HGCM82633A004352

# the same through the tool a technician uses: recall-ident --stmin
start_sim bmw-f30
start_dump "$iface"
timeout 60 "$BIN/recall-ident" "$iface" --addressing bmw --stmin 0C --json >"$tmp/out.json" \
	2>"$tmp/err"
rc=$?
stop_dump
stop_sim
[ $rc -eq 0 ] && grep -q " $iface 6F1#1230000C" "$tmp/dump" ||
	{ echo "FAIL recall-ident --stmin 0C: exit $rc, FC:"; grep "6F1#..30" "$tmp/dump"; fail=1; }
"$BIN/recall-ident" "$iface" --stmin 90 >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "bad STmin" "$tmp/err" ||
	{ echo "FAIL recall-ident --stmin 90: exit $rc"; cat "$tmp/err"; fail=1; }
echo "done recall-ident --stmin"

# reserved STmin (0x80-0xF0, 0xFA-0xFF): refused, exit 2, and nothing read
start_sim bmw-f30
timeout 60 "$TBIN/ident-read" "$iface" bmw 80 >"$tmp/out.json" 2>"$tmp/err"
rc=$?
stop_sim
[ $rc -eq 2 ] && grep -q "Invalid argument" "$tmp/err" ||
	{ echo "FAIL reserved STmin 0x80: exit $rc"; cat "$tmp/err"; fail=1; }
exit $fail
