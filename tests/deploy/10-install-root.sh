#!/bin/sh
# A station integrator's install: `make PREFIX=/usr` and `make install PREFIX=/usr DESTDIR=ROOT`
# into a private root.  Every file lands where Debian puts it, the configuration and unit name
# /usr paths, `recalld -n` run inside that root (chroot, the host's libraries copied in) reads the
# root's /etc/recalld.conf and says "configuration OK", the unit's systemd-analyze exposure is at
# most 2.0 (printed), and `make uninstall` leaves only the workshop's configuration.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/recalld-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
ub="$B/prefix-usr"	# its own build tree: another layout is another build

make -s -C "$TOP" B="$ub" PREFIX=/usr all >"$work/build.log" 2>&1 || {
	tail -20 "$work/build.log"; fail "make PREFIX=/usr"; }
make -s -C "$TOP" B="$ub" PREFIX=/usr DESTDIR="$root" install >"$work/install.log" 2>&1 || {
	tail -20 "$work/install.log"; fail "make install"; }

for f in usr/sbin/recalld usr/sbin/vcan-setup.sh usr/bin/recallctl usr/bin/recall-check \
	usr/bin/recall-ident usr/bin/recall-vin usr/bin/recallc usr/bin/recall-ecusim \
	usr/share/recalld/recalls.rdb usr/share/recalld/recalld.conf.example etc/recalld.conf \
	usr/lib/systemd/system/recalld.service usr/lib/sysusers.d/recalld.conf \
	usr/lib/tmpfiles.d/recalld.conf usr/include/recall.h usr/lib/pkgconfig/recall.pc \
	usr/share/man/man8/recalld.8 usr/share/man/man8/vcan-setup.sh.8 \
	usr/share/man/man1/recallctl.1 usr/share/man/man1/recall-check.1 \
	usr/share/man/man5/recalld.conf.5 usr/share/man/man5/recall-rules.5; do
	[ -e "$root/$f" ] || fail "not installed: /$f"
done
grep -qx 'database = /usr/share/recalld/recalls.rdb' "$root/etc/recalld.conf" ||
	fail "etc/recalld.conf: $(grep '^database' "$root/etc/recalld.conf")"
grep -qx 'report_dir = /var/lib/recalld/reports' "$root/etc/recalld.conf" || fail "report_dir"
grep -qx 'ExecStart=/usr/sbin/recalld' "$root/usr/lib/systemd/system/recalld.service" ||
	fail "unit: $(grep ExecStart= "$root/usr/lib/systemd/system/recalld.service")"
grep -q '^u recalld .* /var/lib/recalld ' "$root/usr/lib/sysusers.d/recalld.conf" || fail "sysusers"
grep -qx 'd /var/lib/recalld/reports 0750 recalld recalld -' "$root/usr/lib/tmpfiles.d/recalld.conf" ||
	fail "tmpfiles"
echo "ok: every file where Debian puts it, configuration and unit name /usr paths"

# The unit's exposure, as systemd rates it (goal: at most 2.0)
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze security --offline=yes --no-pager \
		"$root/usr/lib/systemd/system/recalld.service" 2>&1)
	score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for recalld.service: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || { printf '%s\n' "$out" | tail -5; fail "no exposure level"; }
	echo "ok: systemd-analyze security --offline: exposure $score (goal <= 2.0)"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure $score above 2.0"
	systemd-analyze verify --man=no "$root/usr/lib/systemd/system/recalld.service" \
		>"$work/verify.log" 2>&1
	# the unit names programs of the private root, not of this machine: only that may be said
	grep -v -e 'is not executable' -e 'No such file' -e 'Command .* is not' \
		-e 'recalld.service: Failed to' "$work/verify.log" | grep -q . &&
		{ cat "$work/verify.log"; fail "systemd-analyze verify"; }
	echo "ok: systemd-analyze verify"
else
	echo "skip: systemd-analyze not installed"
fi

# recalld -n inside the root: the host's libraries and loader copied in, nothing else of it
if [ "$(id -u)" = 0 ]; then
	cp -a "$root" "$work/chroot"
	for lib in $(ldd "$root/usr/sbin/recalld" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		mkdir -p "$work/chroot$(dirname "$lib")"
		cp -L "$lib" "$work/chroot$lib"
	done
	mkdir -p "$work/chroot/var/lib/recalld/reports"
	out=$(chroot "$work/chroot" /usr/sbin/recalld -n 2>&1) || fail "recalld -n in the root: $out"
	[ "$out" = "configuration OK" ] || fail "recalld -n said: $out"
	echo "ok: recalld -n in the private root reads its /etc/recalld.conf: configuration OK"
else
	echo "skip: recalld -n in the private root needs root (chroot)"
fi

make -s -C "$TOP" B="$ub" PREFIX=/usr DESTDIR="$root" uninstall >"$work/uninstall.log" 2>&1 ||
	fail "make uninstall"
left=$(cd "$root" && find . -type f -o -type l | sort)
[ "$left" = "./etc/recalld.conf" ] || fail "left after uninstall: $left"
echo "ok: make uninstall leaves only /etc/recalld.conf"
