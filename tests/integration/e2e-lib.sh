# Helpers of the recalld end-to-end tests (4N): sourced after plugin-lib.sh.  Simulated cars are
# recall-ecusim processes, one per interface; the database is the seed rules compiled by the build.

sims=""
extra_cleanup='for p in $sims; do kill $p 2>/dev/null; done'

# e2e_config GLOB: a configuration for the test's own interfaces.  Timeouts are generous because
# the bench may run under TCG with sanitizers, next to other test VMs on two cores; the check itself
# is bounded by them.  P2 (request_timeout) 2 s, not 300 ms: eight simulated cars and eight checks
# in one loaded VM answered later than 300 ms (42 failed: "no answer within 300 ms", no VIN); these
# tests assert what the daemon reports, not how fast a simulated ECU is scheduled.
e2e_config() {
	cp "$B/recalls.rdb" "$work/recalls.rdb" || fail "no compiled seed database in $B"
	cat <<CONF
[recalld]
database = $work/recalls.rdb
report_dir = $work/reports
# the tests run as root on a machine without the recalld user; 5N tests drop to another user
user = root
[history]
database = $work/history.db
[bays]
interfaces = $1
[check]
request_timeout = 2s
check_timeout = 2min
[triggers]
on_appear = yes
on_traffic = no
[control]
socket = $work/control.sock
CONF
}

# e2e_car IFACE PROFILE: create IFACE (down) with a simulated car on it; the caller sets it up.
# PROFILE is a name under tests/ecusim/profiles/ or a path.
e2e_car() {
	prof=$2
	case $prof in */*) ;; *) prof="$TOP/tests/ecusim/profiles/$prof.ini" ;; esac
	ip link add "$1" type vcan || fail "cannot create $1"
	rm -f "$work/$1.ready"
	"$BIN/recall-ecusim" --ready-file "$work/$1.ready" "$prof" "$1" >"$work/$1.sim" 2>&1 &
	sims="$sims $!"
	t0=$(date +%s)
	while [ ! -e "$work/$1.ready" ]; do
		past_deadline "$t0" && fail "simulator on $1 did not start: $(cat "$work/$1.sim")"
		sleep 0.1
	done
}
