#!/bin/sh
# recalld with `require_signature = yes` end to end: the seed database signed by the workshop's
# key serves a car (ConnectedDrive open, the signer in the report's database object).  Then the
# database file is replaced by the same rules tampered with (every `wmi in` made false, hashes
# recomputed: the i3 would read not_affected), by an unsigned copy and by one signed with a key
# the station does not trust; each reload (recallctl and SIGHUP) is refused, and the same car
# checked again still reads open from the database loaded first — checksum and signer unchanged.
# The trusted database again: accepted.  The report lists only the campaigns that concern the car
# and counts the rest (issue 11 item 6, the daemon's side).
set -u
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"

plugin_setup sig
cd "$work" || fail "no work directory"
"$BIN/recallc" --keygen werk >keygen.out || fail "recallc --keygen werk"
key=$(sed -n 's/^key \([0-9a-f]\{16\}\):.*/\1/p' keygen.out)
[ -n "$key" ] || fail "no key id from recallc --keygen: $(cat keygen.out)"
"$BIN/recallc" --keygen other >/dev/null || fail "recallc --keygen other"
mkdir keys && cp werk.pub keys/ || fail "trusted key directory"
seed="$TOP/rules/recalls/bmw-seed.rules"
"$BIN/recallc" -q --sign werk.key "$seed" -o signed.rdb || fail "recallc --sign werk.key"
"$BIN/recallc" -q --sign other.key "$seed" -o other.rdb || fail "recallc --sign other.key"
"$BIN/recallc" -q "$seed" -o unsigned.rdb || fail "recallc unsigned"
"$TBIN/rdb-tamper" signed.rdb tampered.rdb || fail "rdb-tamper"
# the tampering works: the unsigned copy tampered the same way is well-hashed, opens and lies
"$TBIN/rdb-tamper" unsigned.rdb tampered-unsigned.rdb || fail "rdb-tamper unsigned"
"$BIN/recall-check" --vin WBY1Z41060V512345 --db tampered-unsigned.rdb --json >tampered.json
grep -q '"not_affected_omitted":4' tampered.json ||
	fail "tampering did not turn the i3's ConnectedDrive verdict: $(cat tampered.json)"
"$BIN/recall-check" --vin WBY1Z41060V512345 --db tampered.rdb --trust keys \
	--require-signature >/dev/null 2>tampered.err && fail "recall-check took the tampered file"
grep -q "does not verify" tampered.err || fail "recall-check: $(cat tampered.err)"

# replaced as recallc replaces a database: a new file renamed over the old one
install_db() { cp "$1" recalls.rdb.new && mv recalls.rdb.new recalls.rdb || fail "install $1"; }

e2e_config 'sig*' | while IFS= read -r l; do
	printf '%s\n' "$l"
	case $l in
	report_dir*) printf 'trusted_keys = %s\nrequire_signature = yes\n' "$work/keys" ;;
	esac
done >recalld.conf
install_db signed.rdb
grep -q '^require_signature = yes' recalld.conf || fail "configuration not written"
start_daemon "$BIN/recalld" -c "$work/recalld.conf" -e

"$BIN/recallctl" -s control.sock status >status0.txt || fail "status"
grep -q "signed by key $key (trusted: werk)" status0.txt ||
	fail "status does not name the signer: $(cat status0.txt)"
sum=$(sed -n 's/.*checksum \([0-9a-f]\{16\}\).*/\1/p' status0.txt | head -n 1)
[ -n "$sum" ] || fail "status shows no checksum: $(cat status0.txt)"

# verdict: the ConnectedDrive campaign of the report line (one object per campaign)
verdict() {
	grep -F "\"event\":\"check-finished\",\"iface\":\"sig0\"" "$events" | sed -n "${1}p" |
		tr '{' '\n' | grep '"id":"6112150100"' | sed -n 's/.*"verdict":"\([a-z_]*\)".*/\1/p'
}
e2e_car sig0 bmw-i3
ip link set sig0 up
wait_event '"event":"check-finished","iface":"sig0"'
[ "$(verdict 1)" = open ] || fail "signed database: ConnectedDrive not open: $(verdict 1)"
grep -F '"event":"check-finished","iface":"sig0"' "$events" | head -n 1 |
	grep -q "\"signer\":{\"key_id\":\"$key\",\"name\":\"werk\",\"state\":\"trusted\"}" ||
	fail "report's database object lacks the signer"
# the daemon's report lists what concerns the car and counts the rest, as recall-check does
first=$(grep -F '"event":"check-finished","iface":"sig0"' "$events" | head -n 1)
printf '%s\n' "$first" | grep -q '"not_affected_omitted":3' ||
	fail "report does not count the 3 campaigns that do not concern the i3"
printf '%s\n' "$first" | grep -q '"verdict":"not_affected"' &&
	fail "report lists not_affected campaigns"
pass "signed by a trusted key: served, signer in status and report, concerning campaigns only"

n=0
for bad in tampered unsigned other; do
	install_db $bad.rdb
	"$BIN/recallctl" -s control.sock reload >reload-$bad.out 2>&1 &&
		fail "reload of the $bad database accepted"
	n=$((n + 1))
	wait_event '"event":"reload","ok":false' $n
	case $bad in
	tampered) grep -q "does not verify" reload-$bad.out ;;
	unsigned) grep -q "not signed, and a signature is required" reload-$bad.out ;;
	other) grep -q "not a trusted key" reload-$bad.out ;;
	esac || fail "reload of the $bad database: $(cat reload-$bad.out)"
done
# SIGHUP, as systemctl reload sends it, with the tampered file in place
install_db tampered.rdb
kill -HUP "$daemon"
n=$((n + 1))
wait_event '"event":"reload","ok":false' $n
grep -q "does not verify" daemon.log || fail "the refusal is not logged"
pass "tampered, unsigned and untrusted databases refused on reload and SIGHUP"

# the car again: the database loaded first still answers
"$BIN/recallctl" -s control.sock check --wait sig0 >again.txt
[ $? = 1 ] || fail "check after the refused reloads: exit status for an open campaign"
wait_event '"event":"check-finished","iface":"sig0"' 2
[ "$(verdict 2)" = open ] || fail "after refused reloads: ConnectedDrive $(verdict 2), not open"
grep -q '\[OFFEN\] 6112150100' again.txt ||
	fail "after refused reloads: no open campaign in the text"
"$BIN/recallctl" -s control.sock status >status1.txt || fail "status"
grep -q "checksum $sum" status1.txt || fail "another database is loaded: $(cat status1.txt)"
grep -q "signed by key $key (trusted: werk)" status1.txt ||
	fail "signer changed: $(cat status1.txt)"
pass "the first database keeps serving: same verdict, checksum and signer"

install_db signed.rdb
"$BIN/recallctl" -s control.sock reload >/dev/null || fail "reload of the signed database refused"
wait_event '"event":"reload","ok":true'
pass "the trusted database again: accepted"
stop_daemon
