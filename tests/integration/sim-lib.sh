# One simulated car at a time on $iface for the bus tests: sourced; needs BIN, TOP, iface, tmp.
# start_sim PROFILE: PROFILE is a name under tests/ecusim/profiles/ or a path; waits (bounded) for
# the simulator's ready file.  stop_sim: ends it.  The caller's EXIT trap kills $sim.
sim=

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
