#!/bin/sh
# A report of any size reaches the daemon whole: a car with 1,000 open campaigns (each with the
# length of a real German defect and remedy text, a few MiB of report) gets 1,000 verdicts — in the
# event, the report file, `last`, and `recallctl check --wait`.  Before, the child's report line
# was dropped above 1 MiB and the check saved as "interrupted" with 0 campaigns.
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
plugin_setup big

n=1000
text="Laut Hersteller kann es wegen eines Fertigungsfehlers zu einem Ausfall kommen; die Händler prüfen und tauschen das Bauteil kostenlos aus."
long="$text $text $text $text $text $text $text"
i=0
while [ $i -lt $n ]; do
	printf 'campaign "L%04d" {\n\ttitle "Großer Bericht %d";\n\tdefect "%s";\n\tremedy "%s";\n\tremedy_kind workshop;\n\trecognition vehicle_diagnosis "x";\n\taffected wmi in {"WBY"};\n}\n' \
		$i $i "$long" "$long"
	i=$((i + 1))
done >"$work/big.rules"
"$BIN/recallc" -q "$work/big.rules" -o "$work/big.rdb" || fail "recallc big.rules"
e2e_config "big*" | sed "s|^database = .*|database = $work/big.rdb|" >"$work/recalld.conf"
e2e_car big0 bmw-i3
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e
ip link set big0 up
wait_event '"event":"check-finished","iface":"big0"'
grep -F '"event":"check-finished","iface":"big0"' "$events" | head -n 1 >"$work/finished"
grep -q "\"summary\":{\"open\":$n," "$work/finished" ||
	fail "event summary: $(grep -o '"summary":{[^}]*}' "$work/finished")"
grep -q '"status":"complete"' "$work/finished" || fail "not complete"
size=$(wc -c <"$work/finished")
[ "$size" -gt 1048576 ] || fail "the report is only $size bytes: not a large report"
json=$(ls "$work/reports"/big0-*.json | head -n 1)
[ "$(grep -o '"verdict":"open"' "$json" | wc -l)" = $n ] || fail "report file: not $n open verdicts"
pass "a report of $size bytes: $n verdicts in the event and the file"

"$BIN/recallctl" -s "$work/control.sock" --json last big0 >"$work/last.json"
rc=$?
[ $rc = 1 ] || fail "recallctl last: exit $rc, want 1 (open campaigns)"
[ "$(grep -o '"verdict":"open"' "$work/last.json" | wc -l)" = $n ] || fail "last: not $n verdicts"
"$BIN/recallctl" -s "$work/control.sock" -t 600 check big0 --wait --json >"$work/wait.json"
rc=$?
[ $rc = 1 ] || fail "recallctl check --wait: exit $rc, want 1"
[ "$(grep -o '"verdict":"open"' "$work/wait.json" | wc -l)" = $n ] || fail "check --wait: not $n"
pass "recallctl last and check --wait get all $n verdicts (exit 1)"
stop_daemon
