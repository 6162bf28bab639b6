#!/bin/sh
# The interface disappears while recall-ident waits for answers: it must return what it has with
# the interface error (ENODEV), not wait out its timeouts or hang.  Also: not CAN, down, missing.
set -u
dev=vcanid13
command -v candump >/dev/null && command -v cansend >/dev/null || { echo "can-utils missing" >&2; exit 77; }
ip link add dev "$dev" type vcan 2>/dev/null || { echo "cannot create vcan" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap 'kill $dump 2>/dev/null; ip link del "$dev" 2>/dev/null; ip link del vcanid13b 2>/dev/null; ip link del vcanid13c 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

ip link set "$dev" up
# The interface must vanish while recall-ident waits for answers, not before it opened it (that
# is the "missing" case below).  Its BMW discovery request (6F1#DF023E00, functional
# TesterPresent) on the bus is the moment: from there it polls for answers for --timeout ms.
# candump observes the bus; a probe frame it echoes shows it is listening before recall-ident
# starts.
start_dump "$dev"
timeout 60 "$BIN/recall-ident" "$dev" --addressing bmw --timeout 20000 --json >"$tmp/out" 2>"$tmp/err" &
p=$!
i=0
until grep -q " $dev 6F1#DF023E" "$tmp/dump"; do
	i=$((i + 1))
	{ [ $i -gt 600 ] || ! kill -0 $p 2>/dev/null; } &&
		{ echo "FAIL removed: no discovery request seen"; cat "$tmp/dump" "$tmp/err"; exit 1; }
	sleep 0.1
done
ip link del "$dev"
wait $p; rc=$?
tr -d ' \n' <"$tmp/out" >"$tmp/c"
[ $rc -eq 3 ] || { echo "FAIL removed: exit $rc"; fail=1; }
grep -Eq '"fatal":"(Nosuchdevice|Networkisdown)"' "$tmp/c" ||
	{ echo "FAIL removed: no ENODEV/ENETDOWN"; cat "$tmp/out" "$tmp/err"; fail=1; }

# an interface that cannot be used: exit 3 (could not read) with the reason; usage: exit 2
"$BIN/recall-ident" nosuchif0 2>"$tmp/e1"; rc=$?
[ $rc -eq 3 ] && grep -q "nosuchif0: error: No such device" "$tmp/e1" || { echo "FAIL missing: $rc"; cat "$tmp/e1"; fail=1; }
"$BIN/recall-ident" lo 2>"$tmp/e2"; rc=$?
[ $rc -eq 3 ] && grep -q "not a CAN interface" "$tmp/e2" || { echo "FAIL lo: $rc"; cat "$tmp/e2"; fail=1; }
ip link add dev vcanid13b type vcan
"$BIN/recall-ident" vcanid13b 2>"$tmp/e3"; rc=$?
[ $rc -eq 3 ] && grep -q "Network is down" "$tmp/e3" || { echo "FAIL down: $rc"; cat "$tmp/e3"; fail=1; }
"$BIN/recall-ident" vcan0 --addressing nope 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL usage"; fail=1; }
# simulator profiles: every shipped one parses (exit 3 only for the missing interface), a broken
# one is refused with file:line (exit 3 too: it cannot simulate)
for prof in "$TOP"/tests/ecusim/profiles/*.ini; do
	"$BIN/recall-ecusim" "$prof" nosuchif0 2>/dev/null; rc=$?
	[ $rc -eq 3 ] || { echo "FAIL profile $prof: exit $rc"; fail=1; }
done
printf '[vehicle]\naddressing = bmw\n[ecu 0x12]\ndelay = 5x\n' >"$tmp/bad.ini"
"$BIN/recall-ecusim" "$tmp/bad.ini" nosuchif0 2>"$tmp/e4"; rc=$?
[ $rc -eq 3 ] && grep -q "bad.ini:4:1: error: cannot read 'delay = 5x'" "$tmp/e4" ||
	{ echo "FAIL bad profile: $rc"; cat "$tmp/e4"; fail=1; }
# removed between two requests (not while reading): the kernel unbinds the ISO-TP socket and
# answers EADDRNOTAVAIL on send; can/ must report ENODEV so reading stops.  Deterministic: the
# helper opens the socket, removes the interface itself, then sends.
ip link add dev vcanid13c type vcan && ip link set vcanid13c up &&
	"$TBIN/isotp-gone" vcanid13c >"$tmp/g" 2>&1 ||
	{ echo "FAIL removed between requests:"; cat "$tmp/g"; fail=1; }
ip link del vcanid13c 2>/dev/null
exit $fail
