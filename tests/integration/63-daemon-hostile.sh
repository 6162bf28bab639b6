#!/bin/sh
# Hostile surroundings, on the real daemon: a FIFO put at the database path and SIGHUP (the reload
# used to freeze the whole daemon in open()), a regular file at the socket path (it used to be
# deleted at start), an interface whose name carries control bytes (it went raw into file names,
# logs and JSON), a FIFO as the configuration (recalld -n used to hang).
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
plugin_setup hst

# a regular file where the socket should be: refused, kept
e2e_config "hst*" >"$work/recalld.conf"
echo precious >"$work/control.sock"
timeout 60 "$BIN/recalld" -c "$work/recalld.conf" -e >"$work/refused.log" 2>&1
rc=$?
[ $rc = 3 ] || fail "recalld with a file at the socket path: exit $rc, want 3"
[ "$(cat "$work/control.sock")" = precious ] || fail "the file at the socket path was touched"
grep -q 'is not a socket; not removing it' "$work/refused.log" || fail "$(cat "$work/refused.log")"
rm -f "$work/control.sock"
pass "a regular file at the socket path: recalld does not start and leaves it alone"

mkfifo "$work/fifo.conf"
timeout 60 "$BIN/recalld" -n -c "$work/fifo.conf" >"$work/n.out" 2>&1
rc=$?
[ $rc = 3 ] && grep -q 'not a regular file' "$work/n.out" || fail "recalld -n on a FIFO: $rc $(cat "$work/n.out")"
pass "a FIFO as configuration: recalld -n refuses it at once"

# an interface named with ESC [ 2 J (clear screen)
esc=$(printf 'hst\033[2J')
ip link add "$esc" type vcan 2>/dev/null || { echo "kernel refuses the name" >&2; exit 77; }
extra_cleanup="$extra_cleanup; ip link del '$esc' 2>/dev/null"
e2e_car hst0 bmw-i3
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
ip link set "$esc" up
wait_event '"event":"check-finished","iface":"hst\\x1b[2J"'
ls "$work/reports" | grep -q '^hst%5Cx1b%5B2J-.*\.json$' || fail "report file name: $(ls "$work/reports" | od -c | head)"
ls "$work/reports" | LC_ALL=C grep -q "$(printf '\033')" && fail "a raw ESC in a file name"
LC_ALL=C grep -q "$(printf '\033')" "$work/daemon.log" "$events" && fail "a raw ESC in the log or the events"
grep -q 'hst\\x1b\[2J: check started' "$work/daemon.log" || fail "the log does not name it escaped"
pass "an interface named with control bytes: escaped in file names, logs and events"

# a FIFO at the database path, then SIGHUP: refused at once; the daemon answers and checks
rm -f "$work/recalls.rdb"
mkfifo "$work/recalls.rdb"
kill -HUP "$daemon"
wait_event '"event":"reload","ok":false'
grep -q 'reload (SIGHUP) refused, keeping the old database: .*not a regular file' "$work/daemon.log" ||
	fail "reload line: $(grep reload "$work/daemon.log")"
"$BIN/recallctl" -s "$work/control.sock" status >/dev/null || fail "status after the FIFO reload"
ip link set hst0 up
wait_event '"event":"check-finished","iface":"hst0"'
grep -F '"event":"check-finished","iface":"hst0"' "$events" | grep -q '"status":"complete"' ||
	fail "no complete check after the FIFO reload"
pass "a FIFO as database on SIGHUP: refused at once, the old database serves on"
stop_daemon
