#!/bin/sh
# The one-shot check of a connected car and the plugin ABI on the bus: recall-check IFACE prints
# the same report recalld writes (text and --json), with the documented exit status; the station
# program, built only from the installed recall.h and `pkg-config --libs recall`, checks the same
# car through librecall.so and a VIN alone.
set -u
iface=vcan0
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
db="$B/recalls.rdb"
station="$B/tests/abi/station"
# the library as installed into the private root (with the build's own PREFIX)
abilib=$(dirname "$(find "$B/abi-root" -name librecall.so.0 | head -n 1)")
[ -x "$station" ] || fail "station program not built ($station)"

# affected i3: exit 1, German report with the campaign open
start_sim bmw-i3
"$BIN/recall-check" "$iface" --db "$db" --timeout 300 >"$tmp/i3.txt" 2>"$tmp/i3.err"
rc=$?
[ $rc = 1 ] || fail "i3: exit $rc, want 1 (open campaign): $(cat "$tmp/i3.err")"
grep -q 'Fahrzeug:  *FIN WBY1Z41060V512345' "$tmp/i3.txt" || fail "i3: VIN missing"
grep -q '\[OFFEN\] 6112150100' "$tmp/i3.txt" || fail "i3: campaign not open"
grep -q '^0x61$' "$tmp/i3.txt" && grep -q '    F189 Softwareversion  *"11.0.2"' "$tmp/i3.txt" ||
	fail "i3: ECU list lacks the TCB and its software version"
"$BIN/recall-check" "$iface" --db "$db" --timeout 300 --json >"$tmp/i3.json" 2>/dev/null
for k in '"iface":"vcan0"' '"vin":"WBY1Z41060V512345"' '"status":"complete"' '"campaigns":[' \
	'"recognition":"hotline"' '"remedy":"Die Abhilfe' '"summary":{"open":1,'; do
	grep -q -F "$k" "$tmp/i3.json" || fail "i3 --json lacks $k"
done
# the library gives the same verdicts
LD_LIBRARY_PATH="$abilib" "$station" "$db" iface "$iface" >"$tmp/st.out" 2>&1 ||
	fail "station iface: $(cat "$tmp/st.out")"
grep -q '^status=complete vin=WBY1Z41060V512345 open=1 remedied=0 inspect=0 undetermined=0' \
	"$tmp/st.out" || fail "station iface: $(head -n 3 "$tmp/st.out")"
grep -q '^campaign 6112150100 open make=BMW reason=open park_outside=0' "$tmp/st.out" ||
	fail "station: campaign line: $(grep '^campaign' "$tmp/st.out")"
grep -q '^text >>> 1 open action — over-the-air update outstanding' "$tmp/st.out" ||
	fail "station: the English action line through the ABI: $(grep '^text' "$tmp/st.out")"
stop_sim
echo "ok: affected car: recall-check IFACE (text, JSON, exit 1) and librecall agree"

# OTA-fixed i3: nothing to do, exit 0
start_sim bmw-i3-ota-fixed
"$BIN/recall-check" "$iface" --db "$db" --timeout 300 >"$tmp/ota.txt" 2>&1
rc=$?
[ $rc = 0 ] || fail "ota-fixed: exit $rc, want 0: $(cat "$tmp/ota.txt")"
grep -q '\[ERLEDIGT\] 6112150100' "$tmp/ota.txt" || fail "ota-fixed: not remedied"
stop_sim
echo "ok: remedied car: exit 0"

# a rule naming a DID outside the usual identification set: the check reads it for the rule
sed 's/^did F187 = "9384712-03"$/did F187 = "9384712-03"\ndid F1A0 = "7"/' \
	"$TOP/tests/ecusim/profiles/bmw-i3.ini" >"$tmp/f1a0.ini"
grep -q 'F1A0' "$tmp/f1a0.ini" || fail "could not derive the F1A0 profile"
cat >"$tmp/f1a0.rules" <<'RULES'
campaign "TESTF1A000" {
	title "Test: Kalibrierung 7";
	recognition vehicle_diagnosis "Test.";
	affected wmi in {"WBY"} and ecu 0x61 did 0xF1A0 = "7";
}
RULES
"$BIN/recallc" -q "$tmp/f1a0.rules" -o "$tmp/f1a0.rdb" || fail "recallc f1a0.rules"
start_sim "$tmp/f1a0.ini"
"$BIN/recall-check" "$iface" --db "$tmp/f1a0.rdb" --timeout 300 >"$tmp/f1a0.txt" 2>&1
grep -q '\[OFFEN\] TESTF1A000' "$tmp/f1a0.txt" ||
	fail "a DID named only by a rule was not read: $(grep -A2 TESTF1A000 "$tmp/f1a0.txt")"
stop_sim
echo "ok: a DID named only by a rule is read from the car"

# no car: failed with the reason, exit 3 (could not check — never 1, a finding), bounded
"$BIN/recall-check" "$iface" --db "$db" --timeout 100 >"$tmp/none.txt" 2>"$tmp/none.err"
rc=$?
[ $rc = 3 ] || fail "no car: exit $rc"
grep -q 'Prüfung fehlgeschlagen' "$tmp/none.txt" && grep -q 'FEHLGESCHLAGEN' "$tmp/none.txt" || fail "no car: not failed"
grep -q 'no VIN read' "$tmp/none.err" || fail "no car: no reason on stderr"
# an unusable interface: could not check, exit 3; usage: exit 2
"$BIN/recall-check" nosuchif0 --db "$db" 2>"$tmp/e" ; [ $? = 3 ] && grep -q 'no such interface' "$tmp/e" ||
	fail "missing interface: $(cat "$tmp/e")"
"$BIN/recall-check" "$iface" --vin WBY1Z41060V512345 --db "$db" 2>/dev/null; [ $? = 2 ] ||
	fail "IFACE with --vin must be a usage error"
"$BIN/recall-check" "$iface" --addressing nope --db "$db" 2>/dev/null; [ $? = 2 ] ||
	fail "bad --addressing must be a usage error"
# the library refuses a malformed VIN; a good one is checked
LD_LIBRARY_PATH="$abilib" "$station" "$db" vin WBY1Z41060V51234 >/dev/null 2>&1 &&
	fail "station: a 16-character VIN must be refused"
LD_LIBRARY_PATH="$abilib" "$station" "$db" vin WBA8E51060K734560 >"$tmp/v.out" 2>&1 ||
	fail "station vin: $(cat "$tmp/v.out")"
grep -q '^status=complete vin=WBA8E51060K734560 ' "$tmp/v.out" || fail "station vin: $(head -n 1 "$tmp/v.out")"
echo "ok: no car, unusable interface, usage errors, VIN through the library"
