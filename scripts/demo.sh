#!/bin/sh
# make demo: set up vcan (natively, or in the VM where the kernel has no CAN) and show a VIN being
# read over ISO-TP on it, frame by frame.
#
#   scripts/demo.sh BUILD [--vm]        from the host
#   scripts/demo.sh BUILD --inside      where vcan works (natively or in the VM)
set -u
b=${1:?usage: scripts/demo.sh BUILD [--vm|--inside]}
mode=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

if [ "$mode" != --inside ]; then
	if [ "$mode" != --vm ] && ./vcan-setup.sh --probe; then
		exec "$0" "$b" --inside
	fi
	echo "demo: this kernel has no vcan (or VM=1): running the demo in the test VM (~5 s to boot)"
	scripts/deps.sh vm || exit 1
	exec tests/vm/vm-run -- "$0" "$b" --inside
fi

iface=${RECALLD_DEMO_IFACE:-vcan0}
./vcan-setup.sh "$iface" || exit 1
log=$(mktemp)
pids=""
trap 'kill $pids 2>/dev/null; rm -f "$log"' EXIT

echo "demo: candump on $iface; a simulated engine ECU (0x7E8) answers ReadDataByIdentifier F190"
candump -ta "$iface" &
pids="$pids $!"
# The ECU: can-utils' own ISO-TP tools answering every request with the VIN record (stdbuf:
# isotprecv block-buffers into a pipe, and the answer would never leave).
( stdbuf -oL isotprecv -s 7E8 -d 7E0 -p AA:AA -l "$iface" | while read -r req; do
	echo "demo: ECU got request: $req" >&2
	echo "62 F1 90 57 42 59 31 5A 34 31 30 36 30 56 35 31 32 33 34 35" |
		isotpsend -s 7E8 -d 7E0 -p AA:AA "$iface"
done ) &
pids="$pids $!"
sleep 0.5
isotprecv -s 7E0 -d 7E8 -p 55:55 "$iface" >"$log" &
rpid=$!
echo "22 F1 90" | isotpsend -s 7E0 -d 7E8 -p 55:55 "$iface"
i=0
while [ ! -s "$log" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
kill $rpid 2>/dev/null
resp=$(cat "$log")
[ -n "$resp" ] || { echo "demo: no answer from the ECU" >&2; exit 1; }
vin=$(for h in $(echo "$resp" | cut -d' ' -f4-); do printf "\\$(printf %o "0x$h")"; done)
echo "demo: tester got: $resp"
[ -n "$vin" ] && echo "demo: VIN $vin"
echo "demo: the frames above are the Single Frame request, the ECU's First Frame, the tester's Flow"
echo "      Control and the Consecutive Frames — real kernel ISO-TP on $iface."
