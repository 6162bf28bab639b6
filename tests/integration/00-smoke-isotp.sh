#!/bin/sh
# The bench is real: kernel ISO-TP on vcan, frames checked byte by byte (see isotp-smoke.c), and
# can-utils' candump, an independent observer, sees the same First Frame, Flow Control and
# Consecutive Frames.
set -eu
iface=${IFACE:-vcan0}
log=$(mktemp)
trap 'kill $dump 2>/dev/null || true; rm -f "$log"' EXIT

candump -L "$iface" >"$log" 2>&1 &
dump=$!
sleep 0.3
"$TBIN/isotp-smoke" "$iface"
sleep 0.3
kill $dump 2>/dev/null || true
wait $dump 2>/dev/null || true

# candump -L prints "(time) vcan0 7E8#1014..." — match the id and the leading bytes.
for want in "7E0#0322F190" "7E8#101462F190" "7E0#300000" "7E8#21" "7E8#22"; do
	w=$want
	grep -q " $iface $w" "$log" || { echo "candump did not see $w:"; cat "$log"; exit 1; }
done
echo "candump saw SF, FF, FC and CFs on $iface"
