#!/bin/sh
# More ECUs answer than an identity holds (IDENT_MAX_ECUS, 64): the first 64 are read and
# the rest are reported — "N ECUs not read: table full" in errors[] and ecus_not_read —
# never dropped silently.  64 ECUs without DIDs give more errors than errors[] holds: those
# are counted (errors_not_recorded), and the table-full error is among the recorded ones.  The
# car: 70 D-CAN ECUs (0x01-0x46), generated here; 0x01 has the VIN.  Then the same for DIDs.
set -u
iface=${IFACE:-vcan0}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

{
	printf '%s\n' '[vehicle]' 'addressing = bmw'
	i=1
	while [ $i -le 70 ]; do
		printf '[ecu 0x%02X]\n' $i
		[ $i -eq 1 ] && printf '%s\n' 'did F190 = "WBA8E51060K734560"'
		i=$((i + 1))
	done
} >"$tmp/many.ini"
start_sim "$tmp/many.ini"
timeout 120 "$BIN/recall-ident" "$iface" --addressing bmw --timeout 300 --json >"$tmp/out.json" \
	2>"$tmp/err"
rc=$?
stop_sim
tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
[ $rc -eq 0 ] || { echo "FAIL: exit $rc, want 0"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
n=$(grep -o '"address":"0x[0-9A-F]*"' "$tmp/c.json" | sort -u | wc -l)
[ "$n" -eq 64 ] || { echo "FAIL: $n ECUs read, want 64"; fail=1; }
for want in '"vin":"WBA8E51060K734560"' '"ecus_not_read":6' \
	'bmw:6ECUsnotread:tablefull(64ECUsperidentity,IDENT_MAX_ECUS)' \
	'"errors_not_recorded":'; do
	grep -qF -- "$want" "$tmp/c.json" || { echo "FAIL: missing $want"; cat "$tmp/out.json"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok 70 ECUs: 64 read, 6 reported not read"

# More DIDs asked of one ECU than an ECU's entry holds (IDENT_MAX_DIDS, 24): the standard 7 plus
# 20 asked for is 27; the first that does not fit is reported "not read: table full", with the
# rest of that ECU's DIDs (one error per ECU, so errors[] keeps room), never dropped silently.
printf '%s\n' '[vehicle]' 'addressing = bmw' '[ecu 0x40]' 'did F190 = "WBA8E51060K734560"' \
	>"$tmp/dids.ini"
set --
d=160
while [ $d -lt 180 ]; do
	set -- "$@" --did "$(printf 'F1%02X' $d)"
	d=$((d + 1))
done
start_sim "$tmp/dids.ini"
timeout 120 "$BIN/recall-ident" "$iface" --addressing bmw --timeout 300 --json "$@" \
	>"$tmp/dids.json" 2>"$tmp/err"
rc=$?
stop_sim
tr -d ' \n' <"$tmp/dids.json" >"$tmp/d.json"
[ $rc -eq 0 ] || { echo "FAIL: dids: exit $rc, want 0"; cat "$tmp/dids.json" "$tmp/err"; fail=1; }
n=$(grep -o 'notread:tablefull(24DIDsperECU,IDENT_MAX_DIDS),noranyfurtherDIDofthisECU' \
	"$tmp/d.json" | wc -l)
[ "$n" -eq 1 ] || { echo "FAIL: $n table-full errors, want 1"; cat "$tmp/dids.json"; fail=1; }
# 7 standard DIDs + F1A0..F1B0 fill the 24; F1B1 is the first that does not fit
grep -qF '"step":"read-didF1B1"' "$tmp/d.json" ||
	{ echo "FAIL: the table-full error does not name F1B1"; cat "$tmp/dids.json"; fail=1; }
[ $fail -eq 0 ] && echo "ok 27 DIDs asked of one ECU: 24 read, the rest reported not read"
exit $fail
