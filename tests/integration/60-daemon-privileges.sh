#!/bin/sh
# Least privilege, read from /proc as the kernel sees it: recalld started as root with
# `user = nobody` runs as nobody without any capability; its link helper is the one process with
# CAP_NET_ADMIN (and only that, under seccomp); a check child has no capability, no_new_privs and
# a seccomp filter (mode 2), as the same user.  Reports are written by that user.
. "$TOP/tests/integration/plugin-lib.sh"
. "$TOP/tests/integration/e2e-lib.sh"
plugin_setup prv

id nobody >/dev/null 2>&1 || { echo "no user nobody" >&2; exit 77; }
nobody_uid=$(id -u nobody)
chmod 0755 "$work"
chown nobody "$work/reports"
e2e_config "prv*" | sed -e 's|^user = root|user = nobody|' \
	-e "s|^socket = .*|socket = $work/run/control.sock|" >"$work/recalld.conf"
chmod 0644 "$work/recalls.rdb" "$work/recalld.conf"

# status_of PID FIELD: the value of one line of /proc/PID/status
status_of() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null; }

e2e_car prv0 fault-pending-forever
start_daemon_at() {
	"$BIN/recalld" -c "$work/recalld.conf" -e >"$work/daemon.log" 2>&1 &
	daemon=$!
	i=0
	while [ ! -S "$work/run/control.sock" ]; do
		kill -0 "$daemon" 2>/dev/null || fail "daemon exited at start"
		i=$((i + 1)); [ $i -gt $((PLUGIN_WAIT * 10)) ] && fail "socket did not appear"
		sleep 0.1
	done
}
start_daemon_at
[ "$(status_of $daemon Uid | cut -f1)" = "$nobody_uid" ] || fail "daemon uid: $(status_of $daemon Uid)"
for f in CapEff CapPrm CapAmb CapInh; do
	[ "$(status_of $daemon $f)" = 0000000000000000 ] || fail "daemon $f: $(status_of $daemon $f)"
done
helper=$(pgrep -P "$daemon" | head -n 1)
[ -n "$helper" ] || fail "no link helper"
[ "$(status_of $helper Uid | cut -f1)" = "$nobody_uid" ] || fail "helper uid"
# CAP_NET_ADMIN is bit 12
[ "$(status_of $helper CapEff)" = 0000000000001000 ] || fail "helper CapEff: $(status_of $helper CapEff)"
[ "$(status_of $helper CapPrm)" = 0000000000001000 ] || fail "helper CapPrm: $(status_of $helper CapPrm)"
# nothing more to gain either: the bounding set holds at most CAP_NET_ADMIN
case $(status_of $helper CapBnd) in
0000000000000000|0000000000001000) ;;
*) fail "helper CapBnd: $(status_of $helper CapBnd)" ;;
esac
[ "$(status_of $helper Seccomp)" = 2 ] || fail "helper not under seccomp"
pass "daemon: uid nobody, no capabilities; link helper: CAP_NET_ADMIN only, seccomp"

# a check child, caught while it waits for the lying ECU
ip link set prv0 up	# the adapter is plugged in: the check starts by itself
child=""
i=0
while [ -z "$child" ]; do
	for p in $(pgrep -P "$daemon"); do
		[ "$p" = "$helper" ] && continue
		[ "$(status_of $p Seccomp)" = 2 ] && child=$p
	done
	i=$((i + 1)); [ $i -gt 2000 ] && fail "no check child seen"
	[ -z "$child" ] && sleep 0.01
done
cp "/proc/$child/status" "$work/child.status" 2>/dev/null || fail "child gone before it was read"
has() { grep -q "^$1:[[:space:]]*$2" "$work/child.status" || fail "child $1: $(cat "$work/child.status")"; }
has Uid "$nobody_uid"
for f in CapEff CapPrm CapAmb CapInh; do has $f 0000000000000000; done
has NoNewPrivs 1
has Seccomp 2
pass "check child: uid nobody, no capabilities, no_new_privs, seccomp filter"

i=0
until ls "$work/reports"/prv0-*.json >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt $((PLUGIN_WAIT * 10)) ] && fail "no report written"
	sleep 0.1
done
owner=$(stat -c %U "$(ls "$work/reports"/prv0-*.json | head -n 1)")
[ "$owner" = nobody ] || fail "report owned by $owner"
pass "the report is written by the daemon's user"
stop_daemon() { kill "$daemon"; wait "$daemon"; daemon=""; }
stop_daemon

