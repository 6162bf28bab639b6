# Shared helpers of the plugin/ integration tests (3N-5N).  Sourced; needs TOP, BIN, TBIN.
# Every wait is for an observable event and bounded by PLUGIN_WAIT seconds of wall-clock time
# (generous for sanitizers under TCG) — seconds, not rounds of a loop: on a loaded machine one
# round of grep + sleep can take far longer than its sleep.  Every background process and
# interface is removed on exit.

PLUGIN_WAIT=${PLUGIN_WAIT:-60}
daemon=""
subscriber=""
ifprefix=""

fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/daemon.log" ] && { echo "--- daemon log" >&2; tail -n 40 "$work/daemon.log" >&2; }
	[ -f "$events" ] && { echo "--- events" >&2; tail -n 20 "$events" | cut -c1-400 >&2; }
	exit 1
}

pass() { echo "ok: $*"; }

# past_deadline T0: true once PLUGIN_WAIT seconds have passed since T0 (a `date +%s`).
past_deadline() { [ "$(date +%s)" -ge $(($1 + PLUGIN_WAIT)) ]; }

plugin_cleanup() {
	[ -n "$subscriber" ] && kill "$subscriber" 2>/dev/null
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	for i in $(ip -o link show 2>/dev/null | sed -n "s/^[0-9]*: \($ifprefix[0-9]*\)[:@].*/\1/p"); do
		ip link del "$i" 2>/dev/null
	done
	[ -n "${extra_cleanup:-}" ] && eval "$extra_cleanup"
	rm -rf "$work"
}

# plugin_setup PREFIX: work dir, cleanup trap; PREFIX names this test's own interfaces.
plugin_setup() {
	ifprefix=$1
	work=$(mktemp -d /tmp/recalld-test.XXXXXX)
	events="$work/events"
	mkdir -p "$work/reports"
	: >"$events"
	trap plugin_cleanup EXIT
	trap 'exit 1' INT TERM
	command -v cansend >/dev/null || { echo "can-utils missing" >&2; exit 77; }
}

# start_daemon PROGRAM ARGS...: start it, wait for its socket, subscribe to its events.
start_daemon() {
	"$@" >"$work/daemon.log" 2>&1 &
	daemon=$!
	t0=$(date +%s)
	while [ ! -S "$work/control.sock" ]; do
		kill -0 "$daemon" 2>/dev/null || fail "daemon exited at start"
		past_deadline "$t0" && fail "daemon socket did not appear in ${PLUGIN_WAIT}s"
		sleep 0.1
	done
	"$BIN/recallctl" -s "$work/control.sock" -j -t 0 subscribe >"$events" 2>&1 &
	subscriber=$!
	# the subscription is live once status works after it (same daemon, requests in order)
	"$BIN/recallctl" -s "$work/control.sock" status >/dev/null || fail "status failed"
	sleep 0.2
}

stop_daemon() {
	kill "$daemon"
	wait "$daemon"
	rc=$?
	daemon=""
	[ $rc = 0 ] || fail "daemon exit status $rc on SIGTERM"
	[ -e "$work/control.sock" ] && fail "socket not removed on exit"
	return 0
}

count_event() { grep -c -F -- "$1" "$events"; }

# wait_event FIXED-STRING [N]: until the events file has at least N (default 1) such lines.
wait_event() {
	want=${2:-1}
	t0=$(date +%s)
	while [ "$(grep -c -F -- "$1" "$events")" -lt "$want" ]; do
		past_deadline "$t0" && fail "no $want x $1 in ${PLUGIN_WAIT}s"
		kill -0 "$daemon" 2>/dev/null || fail "daemon died while waiting for $1"
		sleep 0.1
	done
}
