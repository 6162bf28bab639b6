#!/bin/sh
# The cost of bring-up: from a CAN adapter's interface appearing (down, without bit timing) to the
# check's report, on the controller bench (a Kvaser PCI card, sja1000 driver, "plugged in" by
# binding its PCI driver; recalld sets 500000 bit/s and restart-ms and brings it up; the car is
# recall-ecusim on the other card) — next to the same check on vcan (interface set up with the
# car already on it: nothing to bring up).  Median of 5 each, the same recalld, database and car.
# The goal: within one answer window (request_timeout) of vcan.  Runs in the VM's controller
# bench (tests/vm/vm-run --bench controllers); times are TCG-emulated, so slower than a station.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
B=${B:-$top/build}
case "$B" in /*) ;; *) B="$top/$B" ;; esac
BIN=${BIN:-$B/bin}
TBIN=${TBIN:-$B/tests/integration}
export B BIN TBIN TOP=$top

if [ "${RECALLD_VM_BENCH:-}" != controllers ]; then
	scripts/deps.sh vm >/dev/null || { echo "adapter-bench: the VM cannot run"; exit 1; }
	[ -x "$TBIN/canlink-tool" ] || make -s B="$B" "$TBIN/canlink-tool" >/dev/null ||
		{ echo "adapter-bench: cannot build $TBIN/canlink-tool"; exit 1; }
	exec tests/vm/vm-run --bench controllers --timeout 900 --env B --env BIN --env TBIN \
		-- bash tests/bench/adapter-bench.sh
fi

. tests/integration/ctl-lib.sh
runs=5
work=$(mktemp -d /tmp/adapter-bench.XXXXXX)
events="$work/events"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip link del abv0 2>/dev/null
	kvaser_reset
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "adapter-bench: $*"; exit 1; }
now_ms() { date +%s%3N; }
mkdir -p "$work/reports"
cp "$B/recalls.rdb" "$work/recalls.rdb" || fail "no $B/recalls.rdb"
rto=300
cat >"$work/recalld.conf" <<CONF
[recalld]
database = $work/recalls.rdb
report_dir = $work/reports
user = root
[history]
database = $work/history.db
[bays]
interfaces = can0 abv0
[check]
addressing = bmw
request_timeout = ${rto}ms
[triggers]
on_traffic = no
[control]
socket = $work/control.sock
CONF
kvaser_reset
kvaser_replug can0
kvaser_replug can1
ip link set can1 type can bitrate 500000 && ip link set can1 up || fail "can1"
ip link add abv0 type vcan || fail "vcan"
for dev in can1 abv0; do
	"$BIN/recall-ecusim" --ready-file "$work/$dev.ready" tests/ecusim/profiles/bmw-i3.ini "$dev" \
		>/dev/null 2>&1 &
	pids="$pids $!"
done
"$BIN/recalld" -c "$work/recalld.conf" >"$work/log" 2>&1 &
pids="$pids $!"
started() { [ -S "$work/control.sock" ] && [ -e "$work/abv0.ready" ] && [ -e "$work/can1.ready" ]; }
ctl_wait 60 started || fail "recalld or the cars did not start: $(cat "$work/log")"
"$BIN/recallctl" -s "$work/control.sock" -j -t 0 subscribe >"$events" 2>&1 &
pids="$pids $!"
# the subscription is live once a request after it is answered (requests are served in order)
"$BIN/recallctl" -s "$work/control.sock" status >/dev/null || fail "status failed"
# the first check of can0 comes from the start (recalld brought it up): not timed
ctl_wait 120 grep -q '"check-finished","iface":"can0"' "$events" || fail "can0 never checked"

# time from t0 to the report's finished_ms of the next check-finished on IFACE
finished_after() {
	local iface=$1 n=$2
	more() { [ "$(grep -c "\"check-finished\",\"iface\":\"$iface\"" "$events")" -gt "$n" ]; }
	ctl_wait 120 more
	# the report's own time, the first one: the report's history names the previous visit's too
	grep "\"check-finished\",\"iface\":\"$iface\"" "$events" | sed -n "$((n + 1))p" |
		grep -o '"finished_ms":[0-9]*' | head -n 1 | cut -d: -f2
}

kv="" vc="" bu=""
addr=$(kvaser_pci_addr can0)
for r in $(seq $runs); do
	# kvaser: unplug, plug (appears down, no bit timing) -> brought up -> report
	n=$(grep -c '"check-finished","iface":"can0"' "$events")
	kvaser_unplug "$addr"
	sleep 0.5
	t0=$(now_ms)
	kvaser_plug "$addr"
	f=$(finished_after can0 "$n")
	[ -n "$f" ] || fail "no report for can0 in run $r"
	kv="$kv $((f - t0))"
	# the bring-up alone: appear -> link up, from the daemon's log timestamps is not possible
	# (syslog has seconds); the check's own started_ms marks when the link was up
	st=$(grep '"check-finished","iface":"can0"' "$events" | sed -n "$((n + 1))p" |
		grep -o '"started_ms":[0-9]*' | head -n 1 | cut -d: -f2)
	bu="$bu $((st - t0))"
	# vcan: the interface comes up with the car on it -> report
	n=$(grep -c '"check-finished","iface":"abv0"' "$events")
	ip link set abv0 down
	sleep 0.5
	t0=$(now_ms)
	ip link set abv0 up
	f=$(finished_after abv0 "$n")
	[ -n "$f" ] || fail "no report for abv0 in run $r"
	vc="$vc $((f - t0))"
done
med() { echo $* | tr ' ' '\n' | sort -n | sed -n "$(( ($runs + 1) / 2 ))p"; }
echo "note: TCG-emulated VM, recalld $(basename "$B") build, addressing bmw, request_timeout $rto ms"
echo "kvaser (sja1000), adapter appears down -> report, $runs runs (ms):$kv"
echo "  of which appear -> link up (the check starts), $runs runs (ms):$bu"
echo "vcan, link up -> report, $runs runs (ms):$vc"
k=$(med $kv) v=$(med $vc) b=$(med $bu)
echo "median: kvaser $k ms, vcan $v ms, difference $((k - v)) ms (bring-up to check start: $b ms);" \
	"goal: within one answer window ($rto ms)"
