#!/bin/sh
# More ECUs answer than an identity holds (IDENT_MAX_ECUS, 64): the first 64 are read and
# the rest are reported — "N ECUs not read: table full" in errors[] and ecus_not_read —
# never dropped silently.  64 ECUs without DIDs give more errors than errors[] holds: those
# are counted (errors_not_recorded), and the table-full error is among the recorded ones.  The car: 70 D-CAN ECUs (0x01-0x46), generated here; 0x01 has the VIN.
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
exit $fail
