#!/bin/sh
# The whole identity read has a deadline (ident_config.deadline_ms): an ECU that answers every
# request, but only after 40 x 0x78 (~0.8 s each), would take its seven identification DIDs
# past any caller's patience.  With a 2000 ms deadline the read stops, keeps what it has (the VIN,
# asked first), says so in a "deadline" error, and never asks the last DID (F18B).  Without the
# deadline every DID would be read.
set -u
iface=${IFACE:-vcan0}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

printf '%s\n' '[vehicle]' 'addressing = bmw' '[ecu 0x12]' 'name = ECM' \
	'did F190 = "WBA8E51060K734560"' 'did F189 = "12.4.1"' 'did F18B = hex:120917' \
	'pending = 40' >"$tmp/slow.ini"
start_sim "$tmp/slow.ini"
timeout 120 "$TBIN/ident-read" "$iface" bmw 00 2000 >"$tmp/out.json" 2>"$tmp/err"
rc=$?
stop_sim
tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
[ $rc -eq 0 ] || { echo "FAIL: exit $rc, want 0 (VIN read)"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
grep -qF '"vin":"WBA8E51060K734560"' "$tmp/c.json" || { echo "FAIL: VIN lost"; fail=1; }
grep -qF '"step":"deadline"' "$tmp/c.json" ||
	{ echo "FAIL: no deadline error"; cat "$tmp/out.json"; fail=1; }
grep -q '"F18B"\|read-didF18B' "$tmp/c.json" &&
	{ echo "FAIL: F18B asked after the deadline"; cat "$tmp/out.json"; fail=1; }
[ $fail -eq 0 ] && echo "ok deadline 2000 ms: VIN kept, read stopped, said so"
exit $fail
