# Helpers of the bus tests, sourced; they need BIN, TOP, iface, tmp.
# One simulated car at a time on $iface: start_sim PROFILE [SIM-ARGS] (a name under
# tests/ecusim/profiles/ or a path) waits (bounded) for the simulator's ready file; stop_sim ends it.  An observer:
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
	# shellcheck disable=SC2086
	"$BIN/recall-ecusim" --ready-file "$tmp/ready" ${2:-} "$prof" "$iface" >"$tmp/sim.log" 2>&1 &
	sim=$!
	i=0
	while [ ! -e "$tmp/ready" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$tmp/ready" ] || { echo "simulator did not start for $1"; cat "$tmp/sim.log"; exit 1; }
}

stop_sim() { kill $sim 2>/dev/null; wait $sim 2>/dev/null; sim=; }

# slowest_answer DUMP REQ_IDS RESP_ID [EXT]: the longest time, in ms, from a request (a Single
# Frame on one of the space-separated REQ_IDS) to the next frame on RESP_ID, over a candump -L
# file (kernel time stamps).  EXT: the request's extended-address byte (bmw: the ECU byte) —
# requests to other ECUs on the same id are not this ECU's.  What a test needs to tell "the
# reader missed an answer that came in time" (a failure) from "the machine was too loaded for
# the answer to come in time" (a run that proves nothing, to be repeated).
slowest_answer() {
	awk -v reqs=" $2 " -v resp="$3" -v ext="${4:-}" '
	{
		ts = substr($1, 2, length($1) - 2) + 0
		split($3, f, "#"); id = f[1]; d = f[2]
		if (substr($3, length(id) + 2, 1) == "#") d = substr($3, length(id) + 4)
		if (index(reqs, " " id " ")) {
			o = 1
			if (ext != "") { if (substr(d, 1, 2) != ext) next; o = 3 }
			if (substr(d, o, 1) == "0") { t = ts; waiting = 1 }
			next
		}
		if (id == resp && waiting) {
			ms = (ts - t) * 1000
			if (ms > max) max = ms
			waiting = 0
		}
	}
	END { printf "%d\n", max }' "$1"
}
