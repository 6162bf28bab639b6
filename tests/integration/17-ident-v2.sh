#!/bin/sh
# Identity v2 on the bus (issue 10): a VW-group car with an OBD engine ECU and a UDS gateway at
# 0x710:0x77A (reached through the vw-group make profile), an ECU that answers after 120 ms (read
# with the default settings), an ECU silent on 09 04 / 09 0A (the DID asked for is still read), a
# CAN FD ECU (vcan with MTU 72), one discovery window (every scheme's functional request goes out
# once, all of them before the first answer), and ECUs read at the same time.
#
# Nothing here depends on the machine's speed: rows that are not about the default timing run
# with generous windows ($G); the default-timing row reads the answer times off the bus (candump's
# kernel time stamps) and counts only when the ECU did answer within the default window — a run in
# which the loaded machine made the answer itself late proves nothing and is repeated.
set -u
iface=${IFACE:-vcan0}
fdif=${FDIFACE:-vcan7}
ip link show "$iface" >/dev/null 2>&1 || { echo "no $iface" >&2; exit 77; }
tmp=$(mktemp -d)
. "$TOP/tests/integration/sim-lib.sh"
trap '[ -n "$sim" ] && kill $sim 2>/dev/null; [ -n "$dump" ] && kill $dump 2>/dev/null;
	wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
G="--window 3000 --timeout 2000"

# ident PROFILE "ARGS" [SIM-ARGS]: recall-ident with ARGS; rc in $rc, compact JSON in $tmp/c.json
ident() {
	prof=$1 args=$2
	start_sim "$1" ${3:-}
	# shellcheck disable=SC2086
	timeout 120 "$BIN/recall-ident" "$iface" $args --json >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	stop_sim
	tr -d ' \n' <"$tmp/out.json" >"$tmp/c.json"
}
# want WANT...: exit 0 and every WANT in the compact JSON
want() {
	[ $rc -eq 0 ] || { echo "FAIL $prof ($args): exit $rc"; cat "$tmp/out.json" "$tmp/err"; fail=1; }
	for w; do
		grep -qF -- "$w" "$tmp/c.json" ||
			{ echo "FAIL $prof ($args): missing $w"; cat "$tmp/out.json"; fail=1; }
	done
	echo "done $prof ($args)"
}
run() { p=$1 a=$2; shift 2; ident "$p" "$a"; want "$@"; }

run vw-golf "$G" '"vin":"WVWZZZ1KZAW000001"' '"profile":"vw-group"' \
	'"address":"0x710:0x77A","addressing":"uds11"' '"ascii":"5Q0907530AB"' '"ascii":"0950"' \
	'"vin_agree":true' '"addressings":["obd11","uds11"]' \
	'"announced":{"p2_ms":50,"p2star_ms":5000}'
# named on the command line instead of by the profile
run vw-golf "$G --no-profile --ecu 0x710:0x77A" '"address":"0x710:0x77A"' '"ascii":"0950"' \
	'"profile":null'

# An ECU that answers after 120 ms, default settings: conclusive when every answer of the ECU
# was on the bus within 200 ms of its request (the default window; its P2 is then >= 260 ms).
tries=0
while :; do
	start_dump "$iface"
	ident slow-120 ""
	sleep 0.2
	stop_dump
	late=$(slowest_answer "$tmp/dump" "7DF 7E0" 7E8)
	if [ "$late" -le 200 ]; then
		want '"vin":"1HGCM82633A004352"' '"address":"0x7E0"'
		grep -q '"step":"gave-up"' "$tmp/c.json" && { echo "FAIL slow-120: gave up"; fail=1; }
		break
	fi
	tries=$((tries + 1))
	echo "slow-120: an answer took $late ms on the bus (machine loaded): run $tries proves nothing"
	[ $tries -lt 5 ] && continue
	echo "NOTE slow-120: 5 runs, the simulator never answered within 200 ms: not decided here"
	break
done
# A fast ECU and one behind a gateway whose answers come 95 ms later (the measured case), default
# settings: both are read - discovery ends a quiet gap (100 ms) after the last answer, and the
# late one comes within it.  Conclusive when the gap between the two first answers on the bus
# was within 100 ms; a loaded machine that made it longer proves nothing and is repeated.
tries=0
while :; do
	start_dump "$iface"
	ident gateway-95 "" --process-per-ecu
	sleep 0.2
	stop_dump
	gap=$(awk '{ ts = substr($1, 2, length($1) - 2) + 0; split($3, f, "#")
		if (f[1] == "7E8" && !a) a = ts
		if (f[1] == "661" && substr(f[2], 1, 2) == "F1" && !b) b = ts }
		END { printf "%d\n", (a && b) ? (b - a) * 1000 : 999999 }' "$tmp/dump")
	if [ "$gap" -le 100 ]; then
		want '"vin":"WBA8E51060K734560"' '"address":"0x7E0"' '"address":"0x61"' \
			'"ascii":"12.4.1"' '"quiet_ms":100'
		break
	fi
	tries=$((tries + 1))
	echo "gateway-95: the late ECU's first answer came $gap ms after the first (machine" \
		"loaded): run $tries proves nothing"
	[ $tries -lt 5 ] && continue
	echo "NOTE gateway-95: 5 runs, never within 100 ms: not decided here"
	break
done
run quiet-pids "$G --addressing obd11 --did F189" '"vin":"1HGCM82633A004352"' '"ascii":"A1.07"'
grep -q '"step":"gave-up"' "$tmp/c.json" && { echo "FAIL quiet-pids: gave up"; fail=1; }
# an ECU named that no allowed scheme can address (0x61 is a D-CAN/obd29 key, not obd11's) is
# reported as not asked, not dropped unsaid; the rest of the car is read
run obd11-generic "$G --addressing obd11 --ecu 0x61 --ecu 0x710:0x77A" '"vin":"1HGCM82633A004352"' \
	'"step":"plan","ecu":"0x61","kind":"io"' '"step":"plan","ecu":"0x710:0x77A","kind":"io"' \
	'ECU0x61:notasked:noallowedschemecanaddressit(schemes:obd11)'

# one window: bmw-f30-obd answers obd11 and bmw; the functional requests of obd11, bmw and obd29
# each go out exactly once, all before the first physical request (the reads start after the
# window's requests are out; an ECU may well answer between two of them)
start_dump "$iface"
run bmw-f30-obd "$G" '"addressings":["obd11","bmw"]'
sleep 0.2
stop_dump
for id in '7DF#02' '6F1#DF' '18DB33F1#02'; do
	n=$(grep -c " $iface $id" "$tmp/dump")
	[ "$n" -eq 1 ] || { echo "FAIL window: $id sent $n times"; cat "$tmp/dump"; fail=1; }
done
first_read=$(grep -n " $iface 7E[0-7]#" "$tmp/dump" | head -1 | cut -d: -f1)
last_func=$(grep -n " $iface \(7DF#02\|6F1#DF\|18DB33F1#02\)" "$tmp/dump" | tail -1 | cut -d: -f1)
[ -n "$first_read" ] && [ -n "$last_func" ] && [ "$last_func" -lt "$first_read" ] ||
	{ echo "FAIL window: a functional request after the first physical read"; cat "$tmp/dump"
	  fail=1; }

# ECUs read at the same time: three D-CAN ECUs, each its own process answering 50 ms late.  A
# request to one ECU goes out while another's is unanswered (by default), never with
# --parallel 1; the identity is the same either way.
sed 's/^\(\[ecu .*\]\)$/\1\ndelay = 50/' "$TOP/tests/ecusim/profiles/bmw-f30.ini" >"$tmp/f30-slow.ini"
# overlaps DUMP: how many requests went out while another ECU's request was unanswered
overlaps() {
	awk '{
		split($3, f, "#"); id = f[1]; d = f[2]
		if (id == "6F1" && substr(d, 3, 1) == "0" && substr(d, 1, 2) != "DF") {
			e = substr(d, 1, 2)
			for (k in open) if (open[k] && k != e) { n++; break }
			open[e] = 1
		} else if (id ~ /^6[0-9A-F][0-9A-F]$/ && substr(d, 1, 2) == "F1") {
			open[substr(id, 2, 2)] = 0
		}
	} END { print n + 0 }' "$1"
}
for par in "" "--parallel 1"; do
	start_dump "$iface"
	ident "$tmp/f30-slow.ini" "$G --addressing bmw --no-profile $par" --process-per-ecu
	sleep 0.2
	stop_dump
	want '"vin":"WBA8E51060K734560"' '"address":"0x12"' '"address":"0x40"' '"address":"0x61"'
	# times differ from run to run; the identity must not
	sed 's/"answered_ms":[0-9]*,"p2_ms":[0-9]*//g; s/"listened_ms":[0-9]*//' "$tmp/c.json" \
		>"$tmp/ident$par.json"
	n=$(overlaps "$tmp/dump")
	if [ -z "$par" ] && [ "$n" -eq 0 ]; then
		echo "FAIL parallel: no request went out while another ECU's was open"; fail=1
	elif [ -n "$par" ] && [ "$n" -ne 0 ]; then
		echo "FAIL --parallel 1: $n requests while another ECU's was open"; fail=1
	fi
done
cmp -s "$tmp/ident.json" "$tmp/ident--parallel 1.json" ||
	{ echo "FAIL parallel: another identity than one ECU after another"
	  diff "$tmp/ident.json" "$tmp/ident--parallel 1.json"; fail=1; }

# --quiet 0 waits out the whole window once the car has answered; by default it ends earlier
# (listened_ms: from the first probes to the window's end, on the reader's clock)
run obd11-generic "--quiet 0" '"quiet_ms":0' '"listened_ms":200'

# CAN FD: an interface with MTU 72, an ECU that answers in FD frames
if ip link set dev "$fdif" down 2>/dev/null && ip link set dev "$fdif" mtu 72 &&
	ip link set dev "$fdif" up; then
	saved=$iface; iface=$fdif
	run fd-uds "$G --fd --addressing uds11 --ecu 0x710:0x77A --did F1A0" \
		'"vin":"WVWZZZ1KZAW000001"' '"fd":true' \
		'"ascii":"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-0123456789-0123"'
	# without --fd: the ECU's FD answer to the probe makes the read FD
	run fd-uds "$G --ecu 0x710:0x77A --did F1A0" '"vin":"WVWZZZ1KZAW000001"' '"fd":true'
	# --fd on a classic interface is refused as unusable (exit 3: could not read)
	timeout 30 "$BIN/recall-ident" "$saved" --fd >/dev/null 2>"$tmp/err"
	[ $? -eq 3 ] && grep -q "not a CAN FD interface" "$tmp/err" ||
		{ echo "FAIL fd: classic interface not refused"; cat "$tmp/err"; fail=1; }
	ip link set dev "$fdif" down; ip link set dev "$fdif" mtu 16; ip link set dev "$fdif" up
	iface=$saved
else
	echo "FAIL fd: cannot set $fdif to MTU 72"; fail=1
fi
exit $fail
