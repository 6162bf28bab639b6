#!/bin/sh
# make demo: the whole product on a fresh machine.  Sets up vcan (natively, or in the VM where the
# kernel has no CAN), starts recalld with the seed recalls, plugs a simulated BMW i3 (affected by
# the ConnectedDrive recall) into a bay, and shows what the technician sees: the events as the
# check runs and the German report.  Then the same car with the over-the-air fix, for contrast.
#
#   scripts/demo.sh BUILD [--vm]        from the host
#   scripts/demo.sh BUILD --inside      where vcan works (natively or in the VM)
set -u
b=${1:?usage: scripts/demo.sh BUILD [--vm|--inside]}
mode=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
case $b in /*) ;; *) b="$top/$b" ;; esac

if [ "$mode" != --inside ]; then
	if [ "$mode" != --vm ] && ./vcan-setup.sh --probe; then
		exec "$0" "$b" --inside
	fi
	echo "demo: this kernel has no vcan (or VM=1): running the demo in the test VM (~5 s to boot)"
	scripts/deps.sh vm || exit 1
	exec tests/vm/vm-run -- "$0" "$b" --inside
fi

bin=$b/bin
bay1=${RECALLD_DEMO_BAY:-vcan11}
bay2=${RECALLD_DEMO_BAY2:-vcan12}
work=$(mktemp -d /tmp/recalld-demo.XXXXXX)
pids=""
cleanup() {
	kill $pids 2>/dev/null
	ip link del "$bay1" 2>/dev/null
	ip link del "$bay2" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "demo: $*" >&2; [ -f "$work/recalld.log" ] && cat "$work/recalld.log" >&2; exit 1; }

./vcan-setup.sh -q || die "vcan-setup.sh failed"
for i in "$bay1" "$bay2"; do ip link del "$i" 2>/dev/null; done

cat >"$work/recalld.conf" <<CONF
[recalld]
database = $b/recalls.rdb
report_dir = $work/reports
user = root
[history]
database = $work/history.db
[bays]
interfaces = $bay1 $bay2
[check]
request_timeout = 300ms
[triggers]
on_traffic = no
[control]
socket = $work/control.sock
CONF
echo "demo: recalld -c $work/recalld.conf   (bays: $bay1 $bay2; database: the seed recalls)"
"$bin/recalld" -c "$work/recalld.conf" -e >"$work/recalld.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -S "$work/control.sock" ]; do
	i=$((i + 1)); [ $i -gt 300 ] && die "recalld did not start"; sleep 0.1
done
ctl() { "$bin/recallctl" -s "$work/control.sock" "$@"; }
# events, one short line each, as the station software would see them
ctl -j -t 0 subscribe 2>/dev/null | while read -r ev; do
	printf '%s\n' "$ev" | sed -n 's/^{"event":"\([a-z-]*\)","iface":"\([^"]*\)".*"trigger":"\([a-z]*\)".*/  event: \1 on \2 (trigger: \3)/p; s/^{"event":"\(check-finished\)","iface":"\([^"]*\)".*"status":"\([a-z]*\)".*"summary":\({[^}]*}\).*/  event: \1 on \2: \3 \4/p'
done &
pids="$pids $!"
ctl status >/dev/null || die "recallctl status failed"

# plug_in IFACE PROFILE: the adapter is connected (interface comes up) to a simulated car
plug_in() {
	ip link add "$1" type vcan || die "cannot create $1"
	"$bin/recall-ecusim" --ready-file "$work/$1.ready" "tests/ecusim/profiles/$2.ini" "$1" \
		>"$work/$1.sim" 2>&1 &
	pids="$pids $!"
	i=0
	while [ ! -e "$work/$1.ready" ]; do
		i=$((i + 1)); [ $i -gt 300 ] && die "simulator did not start"; sleep 0.1
	done
	echo
	echo "demo: a car ($2) is connected to bay $1 — nobody types anything"
	ip link set "$1" up
	i=0
	until ctl status 2>/dev/null | grep -q "^$1 .*idle.*last:"; do
		i=$((i + 1)); [ $i -gt 1200 ] && die "no report for $1"; sleep 0.1
	done
	sleep 0.3
}

plug_in "$bay1" bmw-i3
echo
echo "demo: the technician's report (recallctl last $bay1):"
echo
ctl last "$bay1"
echo
plug_in "$bay2" bmw-i3-ota-fixed
echo
echo "demo: the same model with the over-the-air fix applied (recallctl last $bay2), verdicts only:"
ctl last "$bay2" | grep -E '^\[|Begründung|Nachweis|^      – '
echo
echo "demo: reports written: $(ls "$work/reports" | tr '\n' ' ')"
echo "demo: recalld's log lines:"
grep -E ': VIN ' "$work/recalld.log" | sed 's/^/  /'
