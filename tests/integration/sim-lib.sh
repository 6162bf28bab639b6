# Helpers of the bus tests, sourced; they need BIN, TOP, iface, tmp.
# One simulated car at a time on $iface: start_sim PROFILE (a name under tests/ecusim/profiles/ or
# a path) waits (bounded) for the simulator's ready file; stop_sim ends it.  An observer:
# start_dump DEV runs candump -L on DEV into $tmp/dump and returns once it is listening;
# stop_dump ends it.  The caller's EXIT trap kills $sim and $dump.
sim=
dump=

# Listening is shown by a probe frame (id 0x123) it echoes, not assumed after a sleep.
start_dump() {
	candump -L "$1" >"$tmp/dump" 2>&1 &
	dump=$!
	i=0
	until grep -q " $1 123#" "$tmp/dump"; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "FAIL: candump does not see $1"; cat "$tmp/dump"; exit 1; }
		cansend "$1" 123#15
		sleep 0.1
	done
}

stop_dump() { kill $dump 2>/dev/null; wait $dump 2>/dev/null; dump=; }

start_sim() {
	prof=$1
	case $prof in */*) ;; *) prof="$TOP/tests/ecusim/profiles/$prof.ini" ;; esac
	rm -f "$tmp/ready"
	"$BIN/recall-ecusim" --ready-file "$tmp/ready" "$prof" "$iface" >"$tmp/sim.log" 2>&1 &
	sim=$!
	i=0
	while [ ! -e "$tmp/ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$tmp/ready" ] || { echo "simulator did not start for $1"; cat "$tmp/sim.log"; exit 1; }
}

stop_sim() { kill $sim 2>/dev/null; wait $sim 2>/dev/null; sim=; }
