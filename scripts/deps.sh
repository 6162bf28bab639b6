#!/bin/sh
# Install what recalld needs on Debian/Ubuntu, or say exactly what is missing.
#
#   scripts/deps.sh GROUP...     groups: build test vm bench
#
# As root, missing packages are installed with apt-get (after one `apt-get update`).  As another
# user, the script prints the apt-get line to run and fails, so a build never half-works.
set -eu

# gettext: msgfmt compiles the report's message catalogues (po/), xgettext checks them.
pkgs_build="gcc make pkg-config libc6-dev libudev-dev libjson-c-dev libsodium-dev libinih-dev \
	libsqlite3-dev gettext libseccomp-dev libcap-ng-dev libsystemd-dev"
# chromium prints the HTML report to PDF and poppler-utils' pdftotext reads it back
# (tests/host/60-report-print.sh); fonts-dejavu-core is the page's font; strace kills recalld inside
# a history write and sqlite3 reads the history back (tests/integration/44-daemon-history.sh);
# systemd: systemd-analyze rates the unit; groff-base renders the man pages (tests/deploy).
pkgs_test="libcmocka-dev can-utils iproute2 kmod clang python3-scapy chromium poppler-utils strace \
	fonts-dejavu-core sqlite3 systemd groff-base"
# The VM route for hosts whose kernel has no CAN: Debian's kernel is fetched by tests/vm/kernel.sh.
pkgs_vm="qemu-system-x86 busybox-static cpio kmod"
pkgs_bench="sqlite3 libsqlite3-dev time"

want=""
for g in "$@"; do
	case "$g" in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	vm) want="$want $pkgs_vm" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$g' (build test vm bench)" >&2; exit 2 ;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian-like system; make sure these (Debian names) are installed:$want" >&2
	exit 0
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "recalld needs these packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
