#!/bin/sh
# recalld's history end to end, with the real check and simulated cars:
#  1. a check is recorded; the same car again knows its last visit ("Zuletzt geprüft"), and
#     `recallctl history VIN` shows open -> remedied with the evidence; order and plate of a
#     check request are on the report and in the history;
#  2. recalld killed in the middle of a history write (strace injects SIGKILL at the second write
#     of the WAL, i.e. inside the transaction): the history is intact, the torn check absent,
#     and recalld, restarted, records on;
#  3. a full disk under the history (a tmpfs filled up): the check completes, its report says the
#     history entry is missing and why, the report files are written; with room again the next
#     check is recorded.
set -u
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"

command -v strace >/dev/null || { echo "strace missing (scripts/deps.sh test)" >&2; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing (scripts/deps.sh test)" >&2; exit 77; }
VIN=WBY1Z41060V512345

plugin_setup e2h
extra_cleanup="$extra_cleanup; umount '$work/full' 2>/dev/null"
e2e_config e2h* >"$work/recalld.conf"
# a name for the bay, as a workshop would set it; checks only on request, so each is known
printf '[bay e2h*]\nname = Bühne 7\n[triggers]\non_appear = no\n' >>"$work/recalld.conf"
ctl() { "$BIN/recallctl" -s "$work/control.sock" "$@"; }
finished() { grep "\"event\":\"check-finished\",\"iface\":\"$1\"" "$events" | tail -n 1; }

# ---- 1. recorded, the last visit known, what changed ----
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
e2e_car e2h0 bmw-i3
ip link set e2h0 up
ctl check e2h0 --wait >/dev/null
[ $? = 1 ] || fail "1st check: exit status (open campaign)"
wait_event '"event":"check-finished","iface":"e2h0"' 1
line=$(finished e2h0)
printf '%s\n' "$line" | grep -q '"history":{"state":"recorded","id":1,' || fail "1st check not recorded: $line"
printf '%s\n' "$line" | grep -q '"previous":null' || fail "1st check has a previous visit"
printf '%s\n' "$line" | grep -q '"bay_name":"Bühne 7"' || fail "no bay name"

# the same car, now with the fix; the request brings order and plate
kill $sims 2>/dev/null
sims=""
ip link del e2h0
e2e_car e2h0 bmw-i3-ota-fixed
ip link set e2h0 up
ctl check e2h0 --wait --order 4711 --plate "M-AB 123" >"$work/again.txt"
[ $? = 0 ] || fail "check --wait of the remedied car: exit status"
wait_event '"event":"check-finished","iface":"e2h0"' 2
grep -q 'Auftrag: *4711 · Kennzeichen M-AB 123' "$work/again.txt" || fail "order/plate not on the report"
grep -q 'Zuletzt geprüft: *am .* an Bühne 7 (e2h0)' "$work/again.txt" ||
	fail "the report does not name the last visit: $(cat "$work/again.txt")"
line=$(finished e2h0)
printf '%s\n' "$line" | grep -q '"history":{"state":"recorded","id":2,' || fail "2nd check not recorded"
printf '%s\n' "$line" | grep -q '"previous":{"id":1,' || fail "previous visit is not check 1"
ctl history $VIN >"$work/hist.txt" || fail "recallctl history: exit status"
grep -q "Verlauf der FIN $VIN (2 Prüfungen erfasst)" "$work/hist.txt" || fail "history head: $(cat "$work/hist.txt")"
grep -q 'BMW ConnectedDrive.*: offen → erledigt' "$work/hist.txt" || fail "no open -> remedied in the history"
grep -q 'Nachweis: Steuergerät 0x61.*F189 Softwareversion: gelesen „15.2.0“' "$work/hist.txt" ||
	fail "the history does not say by what evidence: $(cat "$work/hist.txt")"
grep -q 'Auftrag 4711 · Kennzeichen M-AB 123' "$work/hist.txt" || fail "order/plate not in the history"
ctl history $VIN --json --limit 1 >"$work/hist.json" || fail "recallctl history --json"
grep -q '"checks":\[{"id":2,' "$work/hist.json" || fail "history --json: newest first: $(cat "$work/hist.json")"
grep -q '"from":"open","to":"remedied"' "$work/hist.json" || fail "history --json: no change"
ctl history $VIN --lang en | grep -q 'open → remedied' || fail "recallctl history --lang en"
pass "recorded, last visit on the report, open -> remedied with the evidence, order and plate"

# ---- 2. killed in the middle of a history write ----
stop_daemon
kill "$subscriber" 2>/dev/null
subscriber=""
[ "$(sqlite3 "$work/history.db" 'SELECT count(*) FROM checks')" = 2 ] || fail "2 checks before the kill"
# the daemon's first write to the WAL after a clean start is the WAL header; the second is inside
# the first check's transaction: kill it there
strace -f -o "$work/strace.log" -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=2 \
	-P "$work/history.db-wal" "$BIN/recalld" -c "$work/recalld.conf" -e >"$work/daemon.log" 2>&1 &
daemon=$!
i=0
while [ ! -S "$work/control.sock" ]; do
	i=$((i + 1))
	[ $i -gt $((PLUGIN_WAIT * 10)) ] && fail "recalld under strace did not start"
	sleep 0.1
done
ctl check e2h0 >/dev/null || fail "check request to the traced daemon"
i=0
while kill -0 "$daemon" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt $((PLUGIN_WAIT * 10)) ] && fail "recalld was not killed during the history write"
	sleep 0.1
done
wait "$daemon"
daemon=""
grep -q 'killed by SIGKILL' "$work/strace.log" || fail "recalld ended otherwise: $(tail -n 3 "$work/strace.log")"
grep -q 'pwrite64(.*= ?$' "$work/strace.log" || fail "the kill was not inside a WAL write"
rm -f "$work/control.sock"
[ "$(sqlite3 "$work/history.db" 'PRAGMA integrity_check')" = ok ] || fail "history damaged by the kill"
[ "$(sqlite3 "$work/history.db" 'SELECT count(*) FROM checks')" = 2 ] ||
	fail "the torn check is in the history (or one was lost)"
[ "$(sqlite3 "$work/history.db" 'SELECT count(*) FROM verdicts WHERE check_id > 2')" = 0 ] ||
	fail "verdicts of the torn check"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
ctl check e2h0 --wait >/dev/null
wait_event '"event":"check-finished","iface":"e2h0"' 1
line=$(finished e2h0)
printf '%s\n' "$line" | grep -q '"history":{"state":"recorded","id":3,' || fail "not recorded after the kill: $line"
printf '%s\n' "$line" | grep -q '"previous":{"id":2,' || fail "after the kill the last visit is not check 2"
pass "killed inside a history write: history intact, torn check absent, recorded on after restart"

# ---- 3. a full disk under the history ----
stop_daemon
kill "$subscriber" 2>/dev/null
subscriber=""
mkdir -p "$work/full"
mount -t tmpfs -o size=256k tmpfs "$work/full" || { echo "cannot mount tmpfs" >&2; exit 77; }
sed -i "s|^database = $work/history.db|database = $work/full/history.db|" "$work/recalld.conf"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
ctl check e2h0 --wait >/dev/null
wait_event '"event":"check-finished","iface":"e2h0"' 1
finished e2h0 | grep -q '"history":{"state":"recorded","id":1,' || fail "the new history does not record"
dd if=/dev/zero of="$work/full/fill" bs=4k 2>/dev/null
ctl check e2h0 --wait >"$work/full.txt"
[ $? = 0 ] || fail "the check on a full disk did not complete as usual"
wait_event '"event":"check-finished","iface":"e2h0"' 2
line=$(finished e2h0)
printf '%s\n' "$line" | grep -q '"status":"complete"' || fail "full disk: check not complete"
want='"history":{"state":"missing","id":null,"error":"[^"]*full[^"]*","error_code":"disk_full"'
printf '%s\n' "$line" | grep -q "$want" ||
	fail "full disk: the report does not say the history entry is missing: $line"
# in the technician's words: SQLite's English message stays in the JSON and the log
grep -q 'Verlauf: *diese Prüfung FEHLT im Verlauf (Datenträger voll)$' "$work/full.txt" ||
	fail "full disk: the text does not say so: $(cat "$work/full.txt")"
[ "$(ls "$work/reports"/e2h0-*.json | wc -l)" -ge 5 ] || fail "full disk: no report file"
grep -q 'history .*check not recorded' "$work/daemon.log" || fail "full disk: no log line"
rm -f "$work/full/fill"
ctl check e2h0 --wait >/dev/null
wait_event '"event":"check-finished","iface":"e2h0"' 3
finished e2h0 | grep -q '"history":{"state":"recorded","id":2,' || fail "room again: not recorded"
[ "$(sqlite3 "$work/full/history.db" 'PRAGMA integrity_check')" = ok ] || fail "full disk damaged the history"
stop_daemon
umount "$work/full"
pass "full disk: check completes, report says the history entry is missing; recorded again with room"
