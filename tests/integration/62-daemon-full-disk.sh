#!/bin/sh
# Nothing lost on a full disk: the report directory is a small tmpfs, filled up.  The check's
# report is kept in memory: the event says saved false, `recallctl check --wait` exits 3 and says
# why, `recallctl status` shows the waiting report and exits 3, the log has an error line; when
# space is freed the report is written, whole.  Before, the check was "complete", "file": null,
# only syslog knew, and check --wait exited 1 exactly as for a good check with an open recall.
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
plugin_setup full

mount -t tmpfs -o size=64k,mode=0755 recalld-full "$work/reports" || fail "cannot mount a tmpfs"
extra_cleanup="$extra_cleanup; umount '$work/reports' 2>/dev/null"
dd if=/dev/zero of="$work/reports/filler" bs=4k 2>/dev/null
[ "$(df -k "$work/reports" | awk 'NR==2 { print $4 }')" = 0 ] || fail "tmpfs not full"
e2e_config "full*" >"$work/recalld.conf"
e2e_car full0 bmw-i3
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
ip link set full0 up
wait_event '"event":"check-finished","iface":"full0"'
f=$(grep -F '"event":"check-finished","iface":"full0"' "$events" | head -n 1)
case $f in *'"saved":false'*'"save_error":"No space left on device","spooled":true'*) ;;
*) fail "event: $(printf '%s' "$f" | cut -c1-300)" ;; esac
grep -q 'full0: cannot write report full0-.*No space left on device; kept in memory' \
	"$work/daemon.log" || fail "no error line"
pass "disk full: the event says not saved, kept in memory; an error line"

"$BIN/recallctl" -s "$work/control.sock" -t 300 check full0 --wait >"$work/wait.txt" 2>"$work/wait.err"
rc=$?
[ $rc = 3 ] || fail "check --wait on a full disk: exit $rc, want 3"
grep -q 'report not saved: No space left on device; recalld keeps it in memory and retries' \
	"$work/wait.err" || fail "check --wait said: $(cat "$work/wait.err")"
grep -q 'OFFEN' "$work/wait.txt" || fail "check --wait printed no report"
"$BIN/recallctl" -s "$work/control.sock" status >"$work/status.txt"
rc=$?
[ $rc = 3 ] || fail "status with unsaved reports: exit $rc, want 3"
grep -q 'NOT SAVED: 2 report(s) could not be written (No space left on device)' "$work/status.txt" ||
	fail "status: $(cat "$work/status.txt")"
pass "recallctl check --wait exits 3 and says why; status shows 2 waiting reports, exit 3"

rm -f "$work/reports/filler"
i=0
until "$BIN/recallctl" -s "$work/control.sock" status >"$work/status.txt"; do
	i=$((i + 1)); [ $i -gt $((PLUGIN_WAIT * 10)) ] && fail "spool never written: $(cat "$work/status.txt")"
	sleep 0.1
done
[ "$(ls "$work/reports"/full0-*.json | wc -l)" = 2 ] || fail "not both reports written: $(ls "$work/reports")"
for j in "$work/reports"/full0-*.json; do
	grep -q '"vin":"WBY1Z41060V512345"' "$j" && grep -q '"summary":{"open":1,' "$j" ||
		fail "$j incomplete"
done
grep -q 'written after all (0 more in memory)' "$work/daemon.log" || fail "no line for the retry"
pass "space freed: both reports written whole, status exit 0"
stop_daemon
